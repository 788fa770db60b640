"""Gradio's sessions, made lazily: the seam's part that holds each visitor's page state.

Gradio makes every component's config for each new session as it starts; ``LazySessionState`` makes a
block's config only when an event needs it, from the app's own copy made once for all sessions
(``LazyStateHolder.app_configs``). The Gradio internals this relies on are checked with the rest of
the seam's (``gradio_seam._internals``); ``tests/test_sessions.py`` pins the map it keeps against
Gradio's eager one.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from copy import copy
from typing import Any

from gradio.state_holder import SessionState, StateHolder


class LazySessionState(SessionState):
    def __init__(self, blocks: Any, shared: dict[int, dict] | None = None):
        # Gradio's __init__, less the config of every block
        self.blocks_config = copy(blocks.default_config)
        self.app_blocks = blocks.blocks
        self.shared = {} if shared is None else shared
        self.page_ids = [key for key in self.blocks_config.blocks if key in blocks.blocks]
        self.config_values: dict[int, dict] = {}
        self.state_data: dict[int, Any] = {}
        self._state_ttl: dict[int, Any] = {}
        self.is_closed = False
        self.STATE_TTL_WHEN_CLOSED = 1 if os.getenv("GRADIO_IS_E2E_TEST", None) else 3600

    def config_of(self, key: int) -> dict:
        """The block's config as this session starts it. A block the session has not replaced is
        the app's own, whose config is made once and copied for each session (an event writes
        only ``props["value"]`` into it; everything else is replaced whole)."""
        block = self.blocks_config.blocks[key]
        if block is not self.app_blocks.get(key):
            return self.blocks_config.config_for_block(key, [], block)
        if key not in self.shared:
            self.shared[key] = self.blocks_config.config_for_block(key, [], block)
        config = self.shared[key]
        return {**config, "props": {**config["props"]}} if "props" in config else dict(config)

    def _update_value_in_config(self, key: int, value: Any) -> None:
        if key not in self.config_values:
            self.config_values[key] = self.config_of(key)
        if "props" in self.config_values[key]:
            self.config_values[key]["props"]["value"] = value

    @property
    def components(self) -> Iterator[dict]:
        """Every block's config, in page order, as Gradio's eager map would hold it now."""
        for key in dict.fromkeys([*self.page_ids, *self.config_values]):
            if key not in self.config_values:
                self.config_values[key] = self.config_of(key)
            if self.config_values[key]:
                yield self.config_values[key]


class LazyStateHolder(StateHolder):
    def __getitem__(self, session_id: str) -> SessionState:
        if session_id not in self.session_data:
            self.session_data[session_id] = LazySessionState(self.blocks, self.app_configs)
        return super().__getitem__(session_id)

    @property
    def app_configs(self) -> dict[int, dict]:
        """The app's own blocks' configs, made once for all sessions (``LazySessionState.config_of``)."""
        if "_app_configs" not in self.__dict__:
            self._app_configs: dict[int, dict] = {}
        return self._app_configs
