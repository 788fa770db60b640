"""Sessions that cost what they use: Gradio's per-visitor state, with each component's config
computed when it is first needed instead of for all of them when the session starts.

Gradio (6.31, ``gradio/state_holder.py``) builds a new session's ``config_values`` — the config of
every block of the page — in ``SessionState.__init__``: for this app, a few hundred ``get_config``
calls (signatures, API info) and a few hundred kB kept, for every caller that arrives without a
session, although only the blocks an event touches are ever updated, and the whole map is read only
when someone asks for a deep link. ``LazySessionState`` keeps the same map but fills it on demand:
an event's inputs and outputs when they are updated, everything else when ``components`` is read,
each from the same block object Gradio would have used. ``LazyStateHolder`` makes its sessions so;
``StudioBlocks`` gives its server's holder this class as Gradio hands it over.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from copy import copy
from typing import Any

from gradio.state_holder import SessionState, StateHolder


class LazySessionState(SessionState):
    def __init__(self, blocks: Any):  # Gradio's __init__, less the config of every block
        self.blocks_config = copy(blocks.default_config)
        self.page_ids = [key for key in self.blocks_config.blocks if key in blocks.blocks]
        self.config_values: dict[int, dict] = {}
        self.state_data: dict[int, Any] = {}
        self._state_ttl: dict[int, Any] = {}
        self.is_closed = False
        self.STATE_TTL_WHEN_CLOSED = 1 if os.getenv("GRADIO_IS_E2E_TEST", None) else 3600

    @property
    def components(self) -> Iterator[dict]:
        """Every block's config, in page order, as Gradio's eager map would hold it now."""
        for key in dict.fromkeys([*self.page_ids, *self.config_values]):
            if key not in self.config_values:
                self.config_values[key] = self.blocks_config.config_for_block(
                    key, [], self.blocks_config.blocks[key]
                )
            if self.config_values[key]:
                yield self.config_values[key]


class LazyStateHolder(StateHolder):
    def __getitem__(self, session_id: str) -> SessionState:
        if session_id not in self.session_data:
            self.session_data[session_id] = LazySessionState(self.blocks)
        return super().__getitem__(session_id)
