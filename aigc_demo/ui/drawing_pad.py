"""A pad to draw a digit on with a finger or a mouse: a canvas in a block of HTML whose value is the
drawing as a PNG data URL. Gradio's own sketchpad is a full image editor whose code (about 190 kB
compressed, a 2-D graphics engine among it) every visitor to the Image page would download and run
as the page starts, drawing or not; this pad is a few lines of script."""

from __future__ import annotations

import gradio as gr

from aigc_demo.ui.i18n import LANGUAGES, translate

SIDE = 280  # the canvas's pixels a side; the drawing is made MNIST-like on the server
PEN = 18  # the pen's width in canvas pixels, a stroke as thick as a digit's in MNIST at this size

TEMPLATE = f"""
<div class="drawing-pad">
  <span class="drawing-pad-label"></span>
  <canvas width="{SIDE}" height="{SIDE}" role="img"></canvas>
  <button type="button" class="drawing-pad-clear"></button>
</div>
"""

STYLE = f"""
.drawing-pad {{ display: flex; flex-direction: column; gap: 6px; align-items: flex-start; }}
.drawing-pad-label {{ color: var(--block-label-text-color); font-size: var(--block-label-text-size); }}
.drawing-pad canvas {{
  width: min(100%, {SIDE}px); aspect-ratio: 1; touch-action: none; cursor: crosshair;
  border: 1px solid var(--border-color-primary); border-radius: var(--radius-md); background: #fff;
}}
.drawing-pad-clear {{
  min-height: 44px; padding: 0 16px; border-radius: var(--radius-md); color: var(--body-text-color);
  border: 1px solid var(--border-color-primary); background: var(--background-fill-secondary);
}}
"""

# The pad's words follow the page's language (Gradio sets the page's lang attribute, also when a
# visitor picks another language). Strokes follow the pointer (pen, touch or mouse); when one ends,
# the drawing becomes the value. Clear paints the canvas white again and empties the value.
SCRIPT = f"""
const canvas = element.querySelector('canvas');
const label = element.querySelector('.drawing-pad-label');
const clear = element.querySelector('.drawing-pad-clear');
const page = document.documentElement;
const name = () => {{
  const lang = page.lang || 'en';
  const words = props.words[lang] || props.words[lang.split('-')[0]] || props.words.en;
  label.textContent = words.label; canvas.setAttribute('aria-label', words.label);
  clear.textContent = words.clear;
}};
name();
new MutationObserver(name).observe(page, {{ attributes: true, attributeFilter: ['lang'] }});
const pen = canvas.getContext('2d');
const blank = () => {{ pen.fillStyle = '#fff'; pen.fillRect(0, 0, {SIDE}, {SIDE}); }};
blank();
let last = null;
const at = (event) => {{
  const box = canvas.getBoundingClientRect();
  const x = (event.clientX - box.left) * {SIDE} / box.width;
  return [x, (event.clientY - box.top) * {SIDE} / box.height];
}};
const stroke = (from, to) => {{
  pen.strokeStyle = '#000'; pen.lineWidth = {PEN}; pen.lineCap = 'round'; pen.lineJoin = 'round';
  pen.beginPath(); pen.moveTo(from[0], from[1]); pen.lineTo(to[0], to[1]); pen.stroke();
}};
canvas.addEventListener('pointerdown', (event) => {{
  canvas.setPointerCapture(event.pointerId); last = at(event); stroke(last, last);
}});
canvas.addEventListener('pointermove', (event) => {{
  if (last) {{ const here = at(event); stroke(last, here); last = here; }}
}});
const end = () => {{ if (last) {{ last = null; props.value = canvas.toDataURL('image/png'); }} }};
canvas.addEventListener('pointerup', end);
canvas.addEventListener('pointercancel', end);
clear.addEventListener('click', () => {{ blank(); props.value = ''; }});
"""


def drawing_pad(elem_id: str) -> gr.HTML:
    """The pad: its value is ``""`` until something is drawn, then the drawing as a PNG data URL."""
    return gr.HTML(
        "",
        html_template=TEMPLATE,
        css_template=STYLE,
        js_on_load=SCRIPT,
        words={
            lang: {"label": translate("image_sketch", lang), "clear": translate("image_sketch_clear", lang)}
            for lang in LANGUAGES
        },
        elem_id=elem_id,
    )
