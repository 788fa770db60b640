"""What the Train tab shows of the job slot, to whom: a job's status, its curves and its preview.

A visitor sees the names, messages and previews of their own jobs; of other visitors' jobs only that
they exist ("someone's job"), how far they are and their curves — a job's name, its failure text and
its samples can tell what its data is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr

from aigc_demo.backend.ownership import shown_name
from aigc_demo.jobs import JobSnapshot
from aigc_demo.recipes import Recipe, recipe
from aigc_demo.ui.i18n import I18N, translate
from aigc_demo.ui.loss_chart import loss_chart

PLOT_POINTS = 400


@dataclass(frozen=True)
class Viewer:
    """Who looks: the visitor whose jobs they own (None: the server itself, which sees everything;
    "": a visitor with no jobs yet)."""

    visitor: str | None = None

    def owns(self, owner: str) -> bool:
        return bool(owner) and owner == self.visitor

    def sees(self, owner: str) -> bool:
        return self.visitor is None or not owner or self.owns(owner)


SERVER = Viewer()  # sees every job whole


def _minutes(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    return f"{int(seconds // 60)}:{int(seconds % 60):02d}"


def recipe_of(snap: JobSnapshot) -> Recipe | None:
    """The recipe a job was started by (None for an idle slot)."""
    try:
        return recipe(snap.kind)
    except ValueError:
        return None


def status_markdown(snap: JobSnapshot, lang: str, viewer: Viewer = SERVER, page: str | None = None) -> str:
    """The job's state, progress and the line behind it; the viewer's own jobs are named and marked
    as theirs, so they see where theirs stands, and others' are "someone's job". ``page`` names the
    page where the job's model shows (None: the About page, which lists every model)."""
    if snap.state == "idle":
        return translate("train_idle", lang)

    def named(name: str, owner: str) -> str:
        return shown_name(name) if viewer.sees(owner) else translate("train_someone", lang)

    def marked(name: str, owner: str) -> str:  # a job still to finish: marked when it is the viewer's
        mark = f" ({translate('train_yours', lang)})" if viewer.owns(owner) else ""
        return named(name, owner) + mark

    lines = [
        translate(
            f"train_state_{snap.state}",
            lang,
            name=marked(snap.name, snap.owner) if snap.running else named(snap.name, snap.owner),
            step=snap.step,
            total=snap.expected_total or "?",
            elapsed=_minutes(snap.elapsed),
            eta=_minutes(snap.eta),
            tab=translate(f"tab_{page or 'about'}", lang),
        )
    ]
    if snap.total:
        lines.append(
            f"<progress value='{snap.step}' max='{snap.expected_total}' style='width:100%'></progress>"
        )
    if snap.message and viewer.sees(snap.owner):
        lines.append(snap.message)
        noted = fit_note(snap, lang) if snap.state in ("finished", "stopped") else ""
        lines += [noted] if noted else []
    if snap.waiting:
        line = zip(snap.waiting, snap.waiting_owners, strict=True)
        in_line = ", ".join(f"{i}. {marked(n, o)}" for i, (n, o) in enumerate(line, 1))
        lines.append(translate("train_waiting", lang, names=in_line))
    return "\n\n".join(lines)


def fit_note(snap: JobSnapshot, lang: str) -> str:
    """What the validation curve says of the saved model: the state with the lowest validation loss
    is the one kept, and when the loss rose well after it, the model had begun to learn its examples
    by heart (over-fitting), which more data helps and more time does not."""
    if not snap.valid_curve:
        return ""
    best_step, best = min(snap.valid_curve, key=lambda point: point[1])
    last = snap.valid_curve[-1][1]
    said = translate("train_kept_best", lang, step=best_step)
    if last > best + max(0.05, 0.1 * abs(best)):
        said += " " + translate("train_overfit", lang, best=f"{best:.3g}", last=f"{last:.3g}")
    return said


def loss_curves(snap: JobSnapshot, lang: str) -> dict[str, list[tuple[int, float]]]:
    """Each curve by its name in the reader's language; the per-step ones thinned to at most
    ``PLOT_POINTS`` points, so the page receives a small chart every second however long the run."""
    longest = max([len(snap.train_curve), *map(len, snap.terms.values())])
    stride = max(1, -(-longest // PLOT_POINTS))
    curves = {translate("train_curve_train", lang): snap.train_curve[::stride]}
    for name, curve in snap.terms.items():
        curves[translate(f"train_curve_{name}", lang)] = curve[::stride]
    chosen = recipe_of(snap)
    valid_key = f"train_valid_{snap.kind}" if chosen and "valid" in chosen.texts else "train_curve_valid"
    curves[translate(valid_key, lang)] = list(snap.valid_curve)
    return curves


def chart_of(snap: JobSnapshot | None, lang: str) -> str:
    """The job's curves as the Train tab shows them (none yet: a line saying where they will be)."""
    curves = {} if snap is None else loss_curves(snap, lang)
    return loss_chart(curves, translate("train_loss", lang), translate("train_no_curves", lang))


def job_status_of(snap: JobSnapshot, viewer: Viewer = SERVER) -> dict[str, Any]:
    """The job's status for an API caller; others' jobs without their names or messages."""
    sees = viewer.sees(snap.owner)
    return {
        "state": snap.state,
        "kind": snap.kind,
        "name": snap.name if sees else None,
        "step": snap.step,
        "total": snap.total,
        "elapsed_s": round(snap.elapsed, 1),
        "eta_s": None if snap.eta is None else round(snap.eta, 1),
        "train_loss": snap.train_curve[-1][1] if snap.train_curve else None,
        "valid_loss": snap.valid_curve[-1][1] if snap.valid_curve else None,
        "samples": len(snap.samples),
        "message": snap.message if sees else "",
        # the jobs in line behind the running one: the caller's by name, others' as None
        "waiting": [
            n if viewer.sees(o) else None for n, o in zip(snap.waiting, snap.waiting_owners, strict=True)
        ],
        **({"position": snap.waiting.index(snap.name) + 1} if snap.state == "waiting" else {}),
    }


def preview_picture(preview: Any, chosen: Recipe | None) -> gr.Image:
    """The preview picture: 16 drawn tiles, or (for a voice) ten wide spectrograms."""
    label = I18N(f"train_preview_{chosen.name}") if chosen and "preview" in chosen.texts else None
    if chosen is not None and chosen.shows == "spectrograms":
        return gr.Image(value=preview, visible=True, label=label, width=500, height=210)
    return gr.Image(value=preview, visible=preview is not None, label=label, width=240, height=240)
