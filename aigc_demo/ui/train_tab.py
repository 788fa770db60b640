"""The Train page: pick what to train (one choice per recipe), give its data, a size and a time
budget, optionally a model to fine-tune; watch the model learn, use it at once.

What it computes is ``TrainHandlers`` (``train_handlers.py``). ``TrainPage`` turns an event's values
(by component) into a ``TrainForm`` and what it shows of a job into ``{component: update}``;
``build_page`` lays out the components and wires them. Nothing here names a kind."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

import gradio as gr

from aigc_demo.backend.hub import ModelHub, UnknownModelError
from aigc_demo.backend.ownership import MAX_CHOSEN
from aigc_demo.jobs import JobSnapshot
from aigc_demo.recipes import app_recipes, recipe
from aigc_demo.recipes.base import MAX_EPOCHS, SETTINGS
from aigc_demo.settings import max_job_minutes
from aigc_demo.ui.controls import picture_output
from aigc_demo.ui.handlers import model_in_page_language, refusal, shows_errors
from aigc_demo.ui.i18n import I18N, LANGUAGES, language_of, translate, translated
from aigc_demo.ui.train_handlers import (
    TrainForm,
    TrainHandlers,
    public_choices,
    size_choices,
    starting_choices,
)
from aigc_demo.ui.train_view import Viewer, chart_of, preview_picture, recipe_of, status_markdown
from aigc_demo.ui.visitor import BrowserToken, browser_token, in_browser, model_names, new_token

if TYPE_CHECKING:
    from aigc_demo.ui.pages import Site

POLL_SECONDS = 1.0
# The form a visitor was filling in, kept in their browser's storage (never sent anywhere) so that a
# visit to another page, Back or a reload loses none of it; put back as the page opens.
KEPT_FORM = ("kind", "pasted", "name", "minutes")
FORM_KEY = "aigc-studio-train-form"
KEEP_FORM = f"""(...values) => {{
    try {{ localStorage.setItem({FORM_KEY!r}, JSON.stringify(values)); }} catch (e) {{}}
}}"""
RESTORE_FORM = f"""(...current) => {{
    let kept = null;
    try {{ kept = JSON.parse(localStorage.getItem({FORM_KEY!r}) || "null"); }} catch (e) {{}}
    return Array.isArray(kept) && kept.length === current.length ? kept : current;
}}"""
FIRST = app_recipes()[0]  # the choice the page opens on
# What the Start button sends besides the individual settings, by ``TrainForm``'s names.
FORM = tuple(field.name for field in dataclasses.fields(TrainForm) if field.name != "settings")


class TrainPage:
    """The page's events: each takes the values of the components it names and answers
    ``{component: update}`` (a component left out is left as it is; ``gr.skip()``: nothing changes)."""

    def __init__(
        self, handlers: TrainHandlers, form: dict[str, Any], shown: dict[str, Any], timer: Any, token: Any
    ):
        self.handlers, self.form, self.shown, self.timer, self.token = handlers, form, shown, timer, token

    def sent(self) -> set[Any]:
        """What the Start button sends: the form, the settings and the browser's token."""
        return {*(self.form[name] for name in (*FORM, *SETTINGS)), self.token}

    def read(self, values: dict) -> TrainForm:
        settings = {name: values[self.form[name]] for name in SETTINGS}
        return TrainForm(**{name: values[self.form[name]] for name in FORM}, settings=settings)

    def view(self, snap: JobSnapshot, lang: str, at: int | None, viewer: Viewer) -> dict:
        """Everything the page shows of a job snapshot; the scrubber follows the newest sample
        unless the person moved it back (``at``). Samples of others' jobs are not shown."""
        samples = snap.samples if viewer.sees(snap.owner) else []
        newest = max(len(samples) - 1, 0)
        at = newest if at is None else min(int(at), newest)
        preview, label = None, translate("train_scrubber", lang)
        if samples:
            preview, label = samples[at][1], translate("train_scrubber_at", lang, step=samples[at][0])
        chosen = recipe_of(snap)
        drawn = chosen is not None and chosen.shows != "text"
        page = self.handlers.page_of_kind(chosen.model_kind) if chosen else None
        taken = self.handlers.take_home(snap, viewer)
        shown = self.shown
        return {
            shown["status"]: status_markdown(snap, lang, viewer, page),
            shown["plot"]: chart_of(snap, lang),
            shown["sample"]: gr.Textbox(value=None if drawn else preview or "", visible=not drawn),
            shown["picture"]: preview_picture(preview if drawn else None, chosen),
            shown["scrubber"]: gr.Slider(
                maximum=max(newest, 1), value=at, label=label, interactive=not snap.running
            ),
            shown["take_home"]: gr.DownloadButton(value=taken, visible=taken is not None),
        }

    def show(self, request: gr.Request, values: dict) -> dict:
        """The job as it is now, the scrubber where the person left it."""
        viewer = Viewer(in_browser(values[self.token]))
        return self.view(
            self.handlers.jobs.snapshot(), language_of(request), values[self.shown["scrubber"]], viewer
        )

    def follow(self, request: gr.Request, token: str | None) -> dict:
        """While a job runs or waits, poll it and show its newest sample; the poll stops with the
        job, so the scrubber is then the person's to move."""
        snap = self.handlers.jobs.snapshot()  # one snapshot both shown and deciding whether to poll on
        active = snap.running or bool(snap.waiting)
        shown = self.view(snap, language_of(request), None, Viewer(in_browser(token)))
        return shown | {self.timer: gr.Timer(active=active)}

    def click_start(self, request: gr.Request, values: dict) -> dict:
        """Start button: the form becomes a job of this browser's, which gets its secret token the
        first time (kept by the browser). A refusal stays in the status, beside the form, until the
        next Start: what to change is there to read while changing it."""
        token = new_token(values[self.token])
        try:
            self.handlers.start_form(request, self.read(values), in_browser(token))
        except (ValueError, UnknownModelError, gr.Error) as err:
            said = refusal(self.click_start, err).message
            lang = language_of(request)
            return {self.shown["status"]: f"**{translate('train_not_started', lang)}** {said}"}
        return self.follow(request, token) | {self.token: token}

    @shows_errors
    def click_stop(self, request: gr.Request, values: dict) -> dict:
        self.handlers.jobs.stop(in_browser(values[self.token]))  # refused, with the reason, unless theirs
        return self.show(request, values)

    @shows_errors
    def choose(self, request: gr.Request, what: str, model_name: str, token: str | None) -> dict:
        """Each choice shows the inputs its recipe needs, with how much text and in what form; a
        default name follows the choice, and the models to start from are those of its kind."""
        chosen, form, hub = recipe(what), self.form, self.handlers.hub
        defaults = {r.default_name for r in app_recipes()}
        files_label = f"train_files_{what}" if "files" in chosen.texts else "train_upload"
        own = "text" in chosen.texts  # its own words for the text it learns from
        preset = next(iter(chosen.presets))
        return {
            form["pasted"]: gr.Textbox(
                visible=chosen.gives == "text",
                label=I18N(f"train_text_{what}" if own else "train_text"),
                placeholder=I18N(f"train_placeholder_{what}" if own else "train_text_placeholder"),
                info=least_words(what, preset, language_of(request)),
            ),
            form["upload"]: gr.File(visible=chosen.gives == "text"),
            form["files"]: gr.File(label=I18N(files_label), visible=chosen.gives == "files"),
            form["public"]: gr.Dropdown(
                choices=public_choices(what), value="", visible=chosen.gives != "nothing"
            ),
            form["start_from"]: gr.Dropdown(
                choices=starting_choices(hub, what, token),
                value=default_start(hub, what, request),
                visible=chosen.can_start_from,
            ),
            form["name"]: chosen.default_name if model_name in defaults else model_name,
            form["preset"]: gr.Radio(choices=size_choices(chosen.presets), value=preset),
            **{form[name]: gr.Number(value=None, visible=name in chosen.settings) for name in SETTINGS},
        }

    @shows_errors
    def least(self, request: gr.Request, what: str, preset: str) -> gr.Textbox:
        """A size chosen: how much text it needs."""
        return gr.Textbox(info=least_words(what, preset, language_of(request)))

    @shows_errors
    def refresh_starting(self, what: str, token: str | None) -> gr.Dropdown:
        """On focus: a model trained meanwhile can be fine-tuned at once."""
        return gr.Dropdown(choices=starting_choices(self.handlers.hub, what, token))


def build_page(site: Site) -> TrainPage:
    """Lay out the page and wire its components to a ``TrainPage`` over
    the app's job slot, which is returned."""
    form, shown = _layout(site.hub)
    timer = gr.Timer(POLL_SECONDS, active=False)
    browser = browser_token(site.demo)  # whose this browser's jobs and models are
    page = TrainPage(TrainHandlers(site.jobs, site.page_of_kind), form, shown, timer, browser.box)
    _wire(page, browser)
    return page


def _layout(hub: ModelHub) -> tuple[dict[str, Any], dict[str, Any]]:
    """The form (inputs and buttons, by name) and what shows the job (status, curves, samples)."""
    with gr.Row():
        with gr.Column(scale=2):
            form = _form(hub)
        with gr.Column(scale=3):
            shown = {
                "status": gr.Markdown(I18N("train_idle"), elem_id="train-status"),
                "plot": gr.HTML(
                    translated({lang: chart_of(None, lang) for lang in LANGUAGES}), elem_id="train-plot"
                ),
                "sample": gr.Textbox(
                    label=I18N("train_sample"), lines=6, interactive=False, elem_id="train-sample"
                ),
                "picture": picture_output(I18N("train_picture"), "train-picture", size=240, visible=False),
                "scrubber": gr.Slider(
                    0, 1, value=0, step=1, label=I18N("train_scrubber"), elem_id="train-scrubber", buttons=[]
                ),
                "take_home": gr.DownloadButton(
                    I18N("train_take_home"), visible=False, elem_id="train-take-home"
                ),
            }
    return form, shown


def _form(hub: ModelHub) -> dict[str, Any]:
    form: dict[str, Any] = {
        "kind": gr.Radio(
            [(I18N(f"train_kind_{r.name}"), r.name) for r in app_recipes()],
            value=FIRST.name,
            label=I18N("train_kind"),
            elem_id="train-kind",
        ),
        "pasted": gr.Textbox(
            label=I18N("train_text"),
            placeholder=I18N("train_text_placeholder"),
            info=translated({lang: least_words(FIRST.name, "tiny", lang) for lang in LANGUAGES}),
            lines=8,
            elem_id="train-text",
        ),
        "upload": gr.File(
            label=I18N("train_upload"), file_types=[".txt", ".jsonl"], type="filepath", elem_id="train-upload"
        ),
        # Pictures or recordings. No file_types filter: MNIST's IDX files have no extension; the job
        # checks every file.
        "files": gr.File(file_count="multiple", type="filepath", visible=False, elem_id="train-files"),
        # Custom values allowed: the choices follow the kind, and the models to start from change as
        # people train; the handlers check.
        "public": gr.Dropdown(
            public_choices(FIRST.name),
            value="",
            label=I18N("train_public"),
            allow_custom_value=True,
            elem_id="train-public",
        ),
        "start_from": gr.Dropdown(
            starting_choices(hub, FIRST.name),
            value="",
            label=I18N("train_start_from"),
            allow_custom_value=True,
            elem_id="train-from",
        ),
        "name": gr.Textbox(
            label=I18N("train_name"),
            info=I18N("train_private"),
            value=FIRST.default_name,
            max_length=MAX_CHOSEN,
            elem_id="train-name",
        ),
        "preset": gr.Radio(
            size_choices(FIRST.presets), value="tiny", label=I18N("train_preset"), elem_id="train-preset"
        ),
    }
    with gr.Row():
        form["epochs"] = gr.Slider(
            1,
            MAX_EPOCHS,
            value=MAX_EPOCHS,
            step=1,
            label=I18N("train_epochs"),
            info=I18N("train_epochs_info"),
            elem_id="train-epochs",
        )
        form["minutes"] = gr.Slider(
            0.5,
            max_job_minutes(),
            value=2,
            step=0.5,
            label=I18N("train_minutes"),
            elem_id="train-minutes",
        )
    with gr.Accordion(I18N("train_settings"), open=False, elem_id="train-settings"):
        for name in SETTINGS:
            form[name] = gr.Number(
                value=None,
                label=I18N(f"train_setting_{name}"),
                visible=name in FIRST.settings,
                elem_id=f"train-{name.replace('_', '-')}",
            )
    with gr.Row():
        form["start"] = gr.Button(I18N("train_start"), variant="primary", elem_id="train-start")
        form["stop"] = gr.Button(I18N("train_stop"), variant="stop", elem_id="train-stop")
    return form


def _wire(page: TrainPage, browser: BrowserToken) -> None:
    handlers, form, shown, timer, token = page.handlers, page.form, page.shown, page.timer, page.token
    quiet = {"api_visibility": "private", "show_progress": "hidden"}
    shown_outputs = list(shown.values())
    following = [*shown_outputs, timer]
    chosen_outputs = [
        form[n] for n in ("pasted", "upload", "files", "public", "start_from", "name", "preset")
    ]
    form["kind"].change(
        page.choose,
        [form["kind"], form["name"], token],
        [*chosen_outputs, *(form[n] for n in SETTINGS)],
        **quiet,
    )
    form["preset"].input(page.least, [form["kind"], form["preset"]], form["pasted"], **quiet)
    form["start_from"].focus(page.refresh_starting, [form["kind"], page.token], form["start_from"], **quiet)
    browser.keep_after(form["start"].click(page.click_start, page.sent(), [*following, token], **quiet))
    form["stop"].click(page.click_stop, {shown["scrubber"], token}, shown_outputs, **quiet)
    timer.tick(page.follow, [token], following, **quiet)
    browser.read.then(page.follow, [token], following, **quiet)  # as the page opens, its token read
    kept = [form[name] for name in KEPT_FORM]
    browser.read.then(None, kept, kept, js=RESTORE_FORM, **quiet)
    gr.on([c.change for c in kept], None, kept, None, js=KEEP_FORM, **quiet)
    shown["scrubber"].release(page.show, {shown["scrubber"], token}, shown_outputs, **quiet)
    for endpoint in (handlers.start_training, handlers.start_sprite_training, handlers.stop_training):
        gr.api(endpoint, api_name=endpoint.__name__)
    gr.api(handlers.training_status, api_name="training_status")
    # Endpoints that take files have inputs of their own, so gradio checks the files were uploaded to it.
    status_json = gr.JSON(visible=False)
    api_kind = gr.Textbox(visible=False)  # the kind an API call names (its recipe checks it)
    name, files = form["name"], form["files"]
    # An API call's epochs default to 5, as they always have; the page's to the budget.
    api_epochs = gr.Slider(1, MAX_EPOCHS, value=5, step=1, visible=False)
    how = [form["preset"], api_epochs, form["minutes"], form["start_from"], gr.JSON(value={}, visible=False)]
    for endpoint, inputs in (
        (handlers.start_image_training, [name, files, api_kind, *how]),
        (handlers.start_speech_training, [name, files, *how]),
        (handlers.start_job, [api_kind, name, form["pasted"], files, *how]),
    ):
        gr.on([], endpoint, inputs, status_json, api_name=endpoint.__name__)


def least_words(what: str, preset: str, lang: str) -> str:
    """How much text a recipe's size needs, said before Start ("" for one that needs none), with the
    form a chat log takes."""
    chosen = recipe(what)
    least = chosen.least_text(preset) if preset in chosen.presets else 0
    if not least:
        return ""
    if "format" in chosen.texts:
        least_said = translate("train_least_chat", lang, chars=f"{least:,}")
        return translate(f"train_format_{what}", lang) + least_said
    return translate("train_least", lang, chars=f"{least:,}", pages=max(1, round(least / 3000)))


def default_start(hub: ModelHub, what: str, request: gr.Request | None) -> str:
    """What a new model starts from unless the visitor picks otherwise: for a recipe that says so (a
    chatbot: a chat log of a few pages cannot teach one to talk from nothing, it can teach one how
    these people talk), the app's model of its kind in the page's language; else afresh ("")."""
    chosen = recipe(what)
    if not chosen.starts_from_app_model:
        return ""
    return model_in_page_language(hub, model_names(hub, None, chosen.model_kind), request) or ""
