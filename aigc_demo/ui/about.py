"""The About tab: every model's card, the datasets credited, and the device in use."""

from __future__ import annotations

import re
from html import escape
from typing import TYPE_CHECKING, Any

import gradio as gr

import aigc_demo
from aigc_demo.backend.hub import CheckpointEntry, ModelHub
from aigc_demo.backend.ownership import shown_name, visible
from aigc_demo.data import catalog
from aigc_demo.ui.about_texts import CARD_TEXTS_ZH
from aigc_demo.ui.check_panel import build_check_panel
from aigc_demo.ui.i18n import I18N, language_of, table, translate
from aigc_demo.ui.model_upload import build_upload_panel
from aigc_demo.ui.prose import as_text, markdown_html, prose
from aigc_demo.ui.visitor import browser_token, in_browser, visitor

if TYPE_CHECKING:
    from aigc_demo.ui.pages import Site

# How a visitor's model was trained, as its card says it (``recipes.base.trained_in_app``).
TRAINED_HERE = re.compile(r"Trained in the app on (?P<source>.+) \((?P<size>\w+) preset\)\.")
TUNED_HERE = re.compile(r"(?P<start>\S+) fine-tuned in the app on (?P<source>.+)\.")
SOURCES_ZH = {"pasted text": "粘贴的文本", "text sent to the API": "通过 API 发送的文本"}
SIZES_ZH = {"tiny": "微型", "small": "小型", "base": "标准"}


def format_size(num_bytes: int) -> str:
    for unit in ("B", "KB", "MB"):
        if num_bytes < 1024 or unit == "MB":
            return f"{num_bytes:.0f} {unit}" if unit == "B" else f"{num_bytes:.1f} {unit}"
        num_bytes /= 1024
    raise AssertionError("unreachable")


# How each figure a card may hold is read: its words (``metric_NAME`` in i18n) and its unit.
PERCENT = {"test_accuracy", "recognised_as_asked_digit", "recognised_at_temperature_1", "recognised_as_asked"}
PERCENT |= {
    "held_out_ink_iou",
    "nearest_family_ink_iou",
    "generated_read_as_asked",
    "real_held_out_read_as_asked",
}
PERCENT |= {"poems_in_a_fixed_form", "poems_in_classical_form", "poems_with_unknown_mark"}
PERCENT |= {f"poems_in_form_{form}" for form in ("quatrain-5", "quatrain-7", "regulated-5", "regulated-7")}
SECONDS = {"train_seconds"}
COUNTS = {"epoch", "epochs", "epochs_run", "prior_components"}


def format_metric(name: str, value: float, lang: str) -> str:
    """One figure with its meaning in the reader's language: "held-out accuracy 99.37%"."""
    key = f"metric_{name}"  # a figure this app has no words for shows its name, readable
    label = translate(key, lang) if key in table()["en"] else name.replace("_", " ")
    if name in PERCENT:
        shown = f"{value:.2%}"
    elif name in SECONDS:
        shown = translate("metric_minutes", lang, minutes=f"{value / 60:.0f}")
    elif name in COUNTS:
        shown = f"{value:.0f}"
    else:
        shown = f"{value:.4g}"
    return f"{label} {shown}"


def format_metrics(metrics: dict[str, float], lang: str = "en") -> str:
    return "; ".join(format_metric(name, value, lang) for name, value in metrics.items()) or "—"


def as_html(markdown: str) -> str:
    """A block of the page's text, made from Markdown."""
    return prose(markdown_html(markdown))


def _card_rows(entry: CheckpointEntry, loaded_on: str | None, lang: str) -> str:
    """A model's card's details, as Markdown. A card not shipped with the app may be anyone's words:
    they show as written, never as pictures or links to a stranger's address."""
    card = entry.card
    origin = translate("origin_shipped" if entry.shipped else "origin_user", lang)
    words = (lambda text: text) if entry.shipped else as_text
    rows = [
        (translate("card_kind", lang), f"`{card.kind}`"),
        (translate("card_dataset", lang), words(card.dataset.name)),
        (translate("card_license", lang), words(card_text(card.dataset.license, lang)) or "—"),
        (translate("card_metrics", lang), format_metrics(card.metrics, lang)),
        (translate("card_size", lang), format_size(entry.size_bytes)),
        (translate("card_origin", lang), origin),
        (translate("card_loaded", lang), loaded_on or translate("card_not_loaded", lang)),
        (translate("card_created", lang), words(card.created)),
    ]
    if card.training_command:
        command = f"`{card.training_command}`" if entry.shipped else as_text(card.training_command)
        rows.append((translate("card_command", lang), command))
    return "\n".join(f"- **{label}:** {value}" for label, value in rows)


def _card_html(entry: CheckpointEntry, loaded_on: str | None, lang: str) -> str:
    """A model's card, folded: its name and what it does in words, its details a click away."""
    said = card_text(entry.card.description, lang) if entry.card.description else ""
    summary = f"<strong>{escape(shown_name(entry.name))}</strong>" + (f" — {escape(said)}" if said else "")
    return (
        f"<details><summary>{summary}</summary>{markdown_html(_card_rows(entry, loaded_on, lang))}</details>"
    )


def models_html(hub: ModelHub, lang: str, owner: str | None = None) -> str:
    """The cards of the models ``owner`` is shown (None: every model), and the files skipped."""
    entries = visible(hub.entries(), owner)
    loaded = {m.entry.name: device_words(hub, lang) for m in hub.loaded_models()}
    if not entries:
        parts = [markdown_html(translate("no_models", lang, user_dir=hub.user_dir))]
    else:
        parts = [_card_html(e, loaded.get(e.name), lang) for e in entries]
    skipped = hub.skipped()
    if skipped:
        listed = [f"- `{shown_name(s.path.name)}`: {as_text(s.reason)}" for s in skipped]
        parts.append(markdown_html("\n".join([f"### {translate('skipped_heading', lang)}", "", *listed])))
    return prose("".join(parts))


def datasets_markdown(lang: str) -> str:
    by = translate("dataset_by", lang)
    return "\n".join(
        f"- **[{d.name}]({d.source})** {by} {d.attribution} — {card_text(d.license, lang)}"
        for d in catalog.ALL
    )


def footer_markdown(hub: ModelHub, lang: str) -> str:
    return translate("footer", lang, version=aigc_demo.__version__, device=device_words(hub, lang))


def device_words(hub: ModelHub, lang: str) -> str:
    """Where the models run, in the reader's language: "CPU (2 threads)", "CPU（2 个线程）", a GPU's name."""
    threads = hub.cpu_threads()
    return hub.describe_device() if threads is None else translate("device_cpu", lang, threads=threads)


def model_list(hub: ModelHub, owner: str | None = None) -> list[dict[str, Any]]:
    """The models ``owner`` is shown (None: every model) as plain data, for API clients."""
    return [
        {
            "name": e.name,
            "kind": e.card.kind,
            "dataset": e.card.dataset.name,
            "license": e.card.dataset.license,
            "metrics": e.card.metrics,
            "size_bytes": e.size_bytes,
            "shipped": e.shipped,
        }
        for e in visible(hub.entries(), owner)
    ]


def card_text(english: str, language: str) -> str:
    """A card's or the catalogue's English in the reader's language, where a translation exists (a
    shipped card's sentences; how a visitor's model was trained, ``recipes.base.trained_in_app``)."""
    tuned = TUNED_HERE.fullmatch(english)
    if not language.startswith("zh"):  # a private model's name without its tail
        if tuned:
            return f"{shown_name(tuned['start'])} fine-tuned in the app on {tuned['source']}."
        return english
    if english in CARD_TEXTS_ZH:
        return CARD_TEXTS_ZH[english]
    trained = TRAINED_HERE.fullmatch(english)
    if trained:
        source = SOURCES_ZH.get(trained["source"], trained["source"])
        return f"在应用中用{source}训练（{SIZES_ZH.get(trained['size'], trained['size'])}规模）。"
    if tuned:
        source = SOURCES_ZH.get(tuned["source"], tuned["source"])
        return f"由 {shown_name(tuned['start'])} 在应用中用{source}微调而成。"
    return english


def build_page(site: Site) -> None:
    """Lay out the About page (its introduction is the page's top), which
    ends with the footer. Its texts depend on the models present and the reader's language, so they
    are made on page load and on Refresh, as HTML."""
    demo, hub = site.demo, site.hub
    build_check_panel(hub)  # what a visitor can do comes first; the cards, folded, after
    browser = browser_token(demo)
    build_upload_panel(site.jobs, site.page_of_kind, browser)
    models_block = gr.HTML(elem_id="about-models", padding=False)
    with gr.Row():
        refresh = gr.Button(
            I18N("about_refresh"), size="sm", variant="secondary", scale=0, elem_id="about-refresh"
        )
    datasets_block = gr.HTML(elem_id="about-datasets", padding=False)
    footer = gr.HTML(elem_id="footer")

    def render(request: gr.Request, token: str | None) -> tuple[str, str, str]:
        lang = language_of(request)
        models = as_html(translate("about_models", lang)) + models_html(hub, lang, in_browser(token))
        datasets = f"{translate('about_datasets', lang)}\n\n{datasets_markdown(lang)}"
        return (
            models,
            as_html(datasets),
            markdown_html(footer_markdown(hub, lang)),
        )

    shown = [models_block, datasets_block, footer]
    quiet = {"api_visibility": "private", "show_progress": "hidden"}
    browser.read.then(render, browser.box, shown, **quiet)  # as the page opens, its token read
    refresh.click(render, browser.box, shown, **quiet)

    def list_models(request: gr.Request) -> list[dict[str, Any]]:
        """Every model the caller may use (the app's and those its session trained or added): name,
        kind, dataset, licence, metrics, size and origin."""
        return model_list(hub, visitor(request))

    gr.api(list_models, api_name="list_models", concurrency_limit=None)
