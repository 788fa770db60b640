"""A typeface model on the families it never saw, and the typefaces it makes up.

Prints, for a glyph model and the character classifier that judges it (both checkpoints):
  * held-out reconstruction: each held-out family's style found from 10 of its glyphs, its other
    glyphs drawn; mean ink IoU, beside the nearest training family's glyphs as the guess;
  * readability: the share of 5,000 glyphs (random made-up typefaces, random characters) the
    classifier reads as the character asked for, beside its share on the held-out real glyphs;
  * each named direction's fit (correlation with the metadata) on the held-out families.
With ``--write-card`` the figures go into the model's card (metrics, and ``held_out_fit`` beside
each direction's fit), which is what the Type page's sliders show.

Usage: python benchmarks/typefaces.py --checkpoint checkpoints/fonts-latin.safetensors
       --classifier checkpoints/fonts-latin-classifier.safetensors [--data fonts-chinese]
       [--write-card] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aigc_demo import models
from aigc_demo.backend.checkpoint import load_checkpoint, rewrite_card
from aigc_demo.evaluation.typefaces import direction_fits, held_out_reconstruction, readability
from aigc_demo.recipes.typefaces import fonts_split


def loaded(path: Path):
    tensors, card = load_checkpoint(path)
    model = models.build(card.kind, card.config)
    model.load_state_dict(tensors)
    return model.eval(), card


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoint", type=Path, required=True)
    parser.add_argument("--classifier", type=Path, required=True)
    parser.add_argument("--data", default="fonts", choices=("fonts", "fonts-chinese"))
    parser.add_argument("--samples", type=int, default=5000)
    parser.add_argument("--write-card", action="store_true")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    train, valid, about = fonts_split(Path(args.data))
    model, card = loaded(args.checkpoint)
    classifier, _ = loaded(args.classifier)
    figures = {
        **held_out_reconstruction(model, valid, train),
        **readability(model, classifier, valid, args.samples),
    }
    fits = direction_fits(model, card.extras.get("directions", []), valid)
    print(about)
    for key, value in figures.items():
        print(f"{key:<30}  {value}")
    for name, fit in fits.items():
        print(f"direction {name:<20}  held-out fit {fit:+.3f}")
    if args.write_card:

        def change(found) -> None:
            found.metrics.update(figures)
            for direction in found.extras.get("directions", []):
                if direction["name"] in fits:
                    direction["held_out_fit"] = fits[direction["name"]]

        rewrite_card(args.checkpoint, change)
    if args.json:
        args.json.write_text(json.dumps({**figures, "held_out_fits": fits}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
