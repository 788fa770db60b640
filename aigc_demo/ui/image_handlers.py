"""What the Image page computes, over the hub: pictures of named states (``ImageState``), the
latent map, encodings of drawings, and the public API endpoints, which keep their arguments in the
order callers send them. A test calls them without a server."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aigc_demo.backend import priority
from aigc_demo.backend.hub import LoadedModel, ModelHub, UnknownModelError
from aigc_demo.data.images import prepare_drawing, read_data_url
from aigc_demo.labels.files import read_label
from aigc_demo.pipelines import describe, image, latent_map, receipts
from aigc_demo.pipelines.receipts import Made
from aigc_demo.ui.files import output_path
from aigc_demo.ui.handlers import labelled, load_model, shows_errors
from aigc_demo.ui.i18n import LANGUAGES, translate, translated
from aigc_demo.ui.image_state import KINDS, ImageState
from aigc_demo.ui.visitor import model_names


def marked_file(made: Made) -> str:
    """A made picture as the download button gives it, with the visible "AI-GENERATED" strip (the
    live picture stays unmarked), saved to a file of its own."""
    return str(receipts.save(receipts.with_mark(made), output_path("ai-generated-picture.png")))


@dataclass(frozen=True)
class Encoded:
    """A drawing or upload encoded: the picture as the model sees it and its latent code."""

    prepared: Any
    code: list[float]


class ImageHandlers:
    """What the Image page computes, over one hub. ``decode``, ``interpolate``, ``manifold_grid``,
    ``corner_pad`` and ``encode`` back public API endpoints."""

    def __init__(self, hub: ModelHub):
        self.hub = hub

    def loaded(self, model_name: str | None) -> LoadedModel:
        return load_model(self.hub, model_name, KINDS, "image")

    @shows_errors
    def decode(self, start_code: Any, model_name: str, class_label: Any, latent_seed: float, *values: Any):
        """Draw the picture for a seed, the principal-direction sliders, the named-direction
        sliders (ink, slant, width, "more like" digit and its strength), the truncation (1 when
        left out), the axes ("principal" or "raw") and, for a class-conditional model, a class."""
        return self.picture(ImageState.from_decode(start_code, model_name, class_label, latent_seed, *values))

    @shows_errors
    def picture(self, state: ImageState) -> Any:
        """The picture of a state, labelled; made before the next character of any writing."""
        with priority.interactive():
            return labelled(self.made_picture(state))

    def made_picture(self, state: ImageState) -> Made:
        return receipts.make(
            self.loaded(state.model),
            "picture",
            seed=state.seed,
            offsets=state.offsets,
            **{"class": state.digit},
            named=state.named,
            start=state.start,
            truncation=state.truncation,
            raw=state.raw,
        )

    def first_picture(self) -> tuple[Any, Any, str | None]:
        """What the page shows before anything is moved: the first model's picture at seed 0, its
        description in each language and its marked download, made as the page is built so that
        they arrive with the page (Nones when no model can draw)."""
        names = model_names(self.hub, None, *KINDS)
        if not names:
            return None, None, None
        try:
            made = self.made_picture(ImageState(model=names[0]))
        except (ValueError, OSError, UnknownModelError):  # a broken file: the page opens all the same
            return None, None, None
        described = translated({lang: self.description(made, names[0], lang) for lang in LANGUAGES})
        return labelled(made), described, marked_file(made)

    @shows_errors
    def latent_map(self, state: ImageState) -> Any:
        """The model's latent map with the state's position ringed (None for a model without one)."""
        loaded = self.loaded(state.model)
        if not latent_map.has_map(loaded):
            return None
        flat = latent_map.load_map(loaded)
        code = image.latent_code(
            loaded, state.seed, state.offsets, state.named, state.start, state.truncation, state.raw
        )
        return latent_map.map_picture(flat, flat.coordinates(code))

    @shows_errors
    def has_map(self, model_name: str | None) -> bool:
        return bool(model_name) and latent_map.has_map(self.loaded(model_name))

    @shows_errors
    def picked_from_map(self, state: ImageState, index: tuple[float, float]) -> tuple[ImageState, Any]:
        """The state at the code of the test image nearest to a click on the map (the sliders centred,
        starting from that code), and the map with it ringed."""
        flat = latent_map.load_map(self.loaded(state.model))
        chosen = flat.nearest(*index)
        picked = state.centred(start=flat.codes[chosen].tolist())
        return picked, latent_map.map_picture(flat, flat.points[chosen])

    @shows_errors
    def interpolate(
        self,
        model_name: str,
        class_label: str | None,
        seed_a: float,
        seed_b: float,
        count: float,
        how: str,
        path: str = "seeds",
        class_b: str | None = "1",
        drawn: list | None = None,
    ):
        """Frames from seed A's picture to seed B's (lerp or slerp); with ``path`` "classes", from
        the seed's digit ``class_label`` to digit ``class_b``; with "drawings", between the last
        two drawings encoded in this page. Returns an animated GIF and a strip."""
        animation, strip = receipts.interpolation(
            self.loaded(model_name),
            path=path,
            how=how,
            frames=count,
            seed_a=seed_a,
            seed_b=seed_b,
            drawn=(drawn or [])[-2:] if path == "drawings" else None,
            **{"class": class_label, "class_b": class_b},
        )
        return str(receipts.save(animation, output_path(f"interpolation-{path}.gif"))), labelled(strip)

    @shows_errors
    def manifold_grid(
        self,
        model_name: str,
        class_label: str | None,
        centre_seed: float,
        x_key: str,
        y_key: str,
        count: float,
    ):
        """A grid of pictures around the seed's, along two directions ("1".."8", ink, slant, width)."""
        made = receipts.make(
            self.loaded(model_name),
            "manifold",
            seed=centre_seed,
            across=str(x_key),
            down=str(y_key),
            steps=count,
            **{"class": class_label},
        )
        return labelled(made)

    @shows_errors
    def corner_pad(self, model_name: str, class_label: str | None, x: float, y: float, *corner_seeds: float):
        """The picture at (x, y) of a pad blending four corner seeds (top-left, top-right,
        bottom-left, bottom-right)."""
        made = receipts.make(
            self.loaded(model_name), "pad", corners=corner_seeds, x=x, y=y, **{"class": class_label}
        )
        return labelled(made)

    @shows_errors
    def encode(
        self, model_name: str, class_label: Any, drawing: Any, picture_in: Any, on_step: Any = None
    ) -> Encoded:
        """An uploaded picture of a digit (or else the drawing, a PNG data URL) as MNIST's were
        prepared, and its latent code. A GAN has no encoder: its code is searched for (a second or
        so), reported to ``on_step(step, total)``."""
        if drawing is not None and not isinstance(drawing, str):
            raise ValueError("the drawing must be a PNG picture as a data URL")
        pixels = picture_in
        if pixels is None and drawing:
            pixels = read_data_url(drawing, "the drawing")
        if pixels is None:
            raise ValueError("draw a digit or upload a picture of one first")
        loaded = self.loaded(model_name)
        prepared = prepare_drawing(pixels)
        code = image.encode(loaded, prepared, class_label, on_step=on_step).tolist()
        return Encoded(image.to_picture(prepared), code)

    @shows_errors
    def marked_download(self, served: Any, lang: str) -> tuple[str | None, str | None]:
        """The shown picture made again from its receipt, with the visible "AI-GENERATED" strip, as
        the file the download button gives (the live picture stays unmarked); and the picture's
        description for people who cannot see it. Nones for a picture without a receipt."""
        if not isinstance(served, str) or not served:
            return None, None
        label = read_label(served)
        if label is None or label.receipt is None:
            return None, None
        made = receipts.remake(self.hub, label.receipt)
        return marked_file(made), self.description(made, label.receipt["model"], lang)

    def description(self, made: Made, model_name: str, lang: str) -> str:
        """A short description of a picture: the digit the shipped judge reads in it and its lean,
        where the judge can read it; else which model drew it."""
        try:
            judge = self.hub.load(describe.JUDGE).module
        except UnknownModelError:
            judge = None
        reading = describe.read_digit(judge, made.content.pixels) if judge is not None else None
        if reading is None or reading.confidence < 0.5:
            return translate("image_alt", lang, model=model_name)
        lean = "" if reading.lean == "upright" else translate(f"image_alt_lean_{reading.lean}", lang)
        return translate("image_alt_digit", lang, digit=reading.digit, lean=lean, model=model_name)
