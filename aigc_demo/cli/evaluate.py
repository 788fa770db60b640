"""``eval``: measure a checkpoint and print its figures."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from aigc_demo.backend.hub import default_hub
from aigc_demo.data.text import SPLITS
from aigc_demo.pipelines.poem_form import FORM_CHOICES
from aigc_demo.pipelines.speech import DEFAULT_TEMPERATURE

NAME = "eval"
HELP = "measure a checkpoint (eval image | eval speech | eval text | eval chat)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    kinds = parser.add_subparsers(dest="kind", metavar="KIND", required=True)
    speech = kinds.add_parser("speech", help="recognition and diversity of generated spoken digits")
    speech.add_argument("--checkpoint", default="fsdd-speech", help="speech model to judge")
    speech.add_argument("--classifier", default="fsdd-digit-classifier", help="digit classifier that judges")
    speech.add_argument("--per-digit", type=int, default=50, help="generated clips per digit")
    speech.add_argument("--seed", type=int, default=0, help="first voice seed")
    speech.add_argument(
        "--data",
        type=Path,
        help="FSDD recordings: also report the classifier's accuracy on the held-out "
        "recordings and their diversity",
    )
    speech.add_argument(
        "--temperature",
        type=float,
        default=DEFAULT_TEMPERATURE,
        help="voice temperature, 0.1-1 (default %(default)s)",
    )
    speech.add_argument("--json", action="store_true", help="print JSON")
    speech.add_argument(
        "--record",
        action="store_true",
        help="also write the figures into the checkpoint's card metrics (weights unchanged)",
    )
    text = kinds.add_parser("text", help="loss of a text model on a text file; form of generated poems")
    text.add_argument("--checkpoint", default="shakespeare-lstm", help="text model to judge")
    text.add_argument("--data", type=Path, required=True, help="a UTF-8 text file")
    text.add_argument("--split", choices=SPLITS, default="last10", help="which part of the file to score")
    text.add_argument(
        "--poems",
        type=int,
        default=0,
        help="also write this many poems, each after a title and author line from the scored text, "
        "and report their forms next to the scored poems' own",
    )
    text.add_argument(
        "--form",
        choices=FORM_CHOICES,
        default="free",
        help="for --poems: the form to write in (free follows the mix of forms on the model's card)",
    )
    text.add_argument("--temperature", type=float, default=0.8, help="for --poems (default %(default)s)")
    text.add_argument("--seed", type=int, default=0)
    text.add_argument("--json", action="store_true", help="print JSON")
    text.add_argument(
        "--record",
        action="store_true",
        help="with --poems: also write the poem figures into the checkpoint's card (weights unchanged)",
    )
    chat = kinds.add_parser("chat", help="held-out reply loss and R@1/10 of a dialogue model")
    chat.add_argument("--checkpoint", default="chat-en", help="dialogue model to judge")
    chat.add_argument("--data", type=Path, required=True, help="conversations, JSON Lines or A:/B: lines")
    chat.add_argument(
        "--part",
        choices=("auto", "held-out", "all"),
        default="auto",
        help="held-out: the conversations training holds out (one in ten, by id); all: every one; auto "
        "(default): held-out if the model was trained on this file, else all",
    )
    chat.add_argument("--contexts", type=int, default=1000, help="contexts ranked for R@1/10")
    chat.add_argument("--seed", type=int, default=0, help="which contexts and other replies are drawn")
    chat.add_argument("--json", action="store_true", help="print JSON")
    chat.add_argument(
        "--record",
        action="store_true",
        help="also write the figures into the checkpoint's card (weights unchanged)",
    )
    image = kinds.add_parser("image", help="likelihood and sample quality of an image model")
    image.add_argument("--checkpoint", default="mnist-vae", help="image model to judge")
    image.add_argument("--classifier", default="mnist-classifier", help="image classifier that judges")
    image.add_argument(
        "--data", type=Path, required=True, help="MNIST-format folder (its test split is used)"
    )
    image.add_argument(
        "--samples", type=int, default=10_000, help="generated images for the Fréchet distance"
    )
    image.add_argument("--seed", type=int, default=0)
    image.add_argument("--json", action="store_true", help="print JSON")
    image.add_argument(
        "--record",
        action="store_true",
        help="also write the sample figures into the checkpoint's card metrics (weights unchanged)",
    )


def run(args: argparse.Namespace) -> int:
    runs = {"image": run_image, "speech": run_speech, "text": run_text, "chat": run_chat}
    return runs[args.kind](args)


def run_chat(args: argparse.Namespace) -> int:
    from aigc_demo.cli.chat import load_chat_model
    from aigc_demo.data.text import dataset_of, read_text
    from aigc_demo.evaluation.chat import evaluate_chat
    from aigc_demo.text.dialogue import read_chat_log, split

    if not 1 <= args.contexts <= 100_000:
        raise ValueError("--contexts must be between 1 and 100000")
    model = load_chat_model(args.checkpoint)
    conversations = read_chat_log(read_text(args.data), args.data.name)
    if args.part == "auto":
        trained_on = default_hub().entry(args.checkpoint).card.dataset.name
        args.part = "held-out" if dataset_of(args.data).name == trained_on else "all"
    if args.part == "held-out":
        conversations = split(conversations)[1]
    figures = evaluate_chat(model, conversations, args.contexts, args.seed)
    if args.record:
        record_evaluation(args, asdict(figures))
    if args.json:
        print(json.dumps({**asdict(figures), "part": args.part}, indent=2))
        return 0
    print(
        f"{args.checkpoint} on {args.data} ({args.part}, {len(conversations)} conversations, "
        f"{figures.contexts} contexts): replies {figures.reply_nats_per_char:.4f} nats/char given their "
        f"context; R@1/10 {figures.recall_pmi:.3f} by PMI, {figures.recall_conditional:.3f} conditional "
        "(chance 0.100)"
    )
    return 0


def run_text(args: argparse.Namespace) -> int:
    from aigc_demo.cli.text import load_text_model
    from aigc_demo.data.text import read_text, split_text
    from aigc_demo.evaluation.text import poem_form_report, text_loss
    from aigc_demo.text.poetry import layout_shares, split_poems, total_variation

    if not 0 <= args.poems <= 10_000:
        raise ValueError("--poems must be between 0 and 10000")
    if args.record and not args.poems:
        raise ValueError("--record needs --poems: it records the figures of the poems written")
    model, shares = load_text_model(args.checkpoint)
    whole = read_text(args.data)
    text = split_text(whole, args.split)[1]
    loss = text_loss(model, text)
    figures = {**asdict(loss), "bits_per_char": loss.bits_per_char}
    if args.poems:
        poems = split_poems(text)[: args.poems]
        report = poem_form_report(model, poems, args.temperature, args.seed, args.form, shares)
        corpus = layout_shares(split_poems(whole), floor=0)  # the whole file's mix of forms
        figures["poems"] = {
            **asdict(report),
            "whole_file_distance": round(total_variation(report.layouts, corpus), 4),
        }
        if args.record:
            _record_poem_figures(args, figures["poems"])
    if args.json:
        print(json.dumps(figures, indent=2, ensure_ascii=False))
        return 0
    print(
        f"{args.checkpoint} on {args.data} ({args.split}, {loss.characters:,} characters): "
        f"{loss.nats_per_char:.4f} nats/char, {loss.bits_per_char:.4f} bits/char"
    )
    if loss.unknown_share:
        print(f"characters outside the vocabulary (scored as its unknown mark): {loss.unknown_share:.2%}")
    if args.poems:
        _print_poem_forms(figures["poems"], args.temperature)
    return 0


def _record_poem_figures(args: argparse.Namespace, poems: dict) -> None:
    from aigc_demo.text.poetry import FORMS

    layouts = poems["layouts"]
    if args.form == "free":
        figures = {
            "poems_in_a_fixed_form": round(sum(layouts.get(f.key, 0) for f in FORMS.values()), 4),
            "poems_in_classical_form": round(poems["classical_share"], 4),
            "form_mix_distance": poems["whole_file_distance"],
            "poems_with_unknown_mark": round(poems["unknown_mark_share"], 4),
        }
    else:
        figures = {f"poems_in_form_{args.form}": round(layouts.get(FORMS[args.form].key, 0), 4)}
    command = (
        f"python -m aigc_demo eval text --checkpoint {args.checkpoint} --data {args.data.name} "
        f"--split {args.split} --poems {args.poems} --form {args.form} "
        f"--temperature {args.temperature:g} --seed {args.seed}"
    )
    record_metrics(args.checkpoint, figures, command)


def _print_poem_forms(poems: dict, temperature: float) -> None:
    print(
        f"{poems['poems']} poems ({poems['form']}) at temperature {temperature:g}: "
        f"{poems['classical_share']:.1%} in classical form (all half-lines 5 or all 7 characters) "
        f"{poems['forms']}; the unknown mark written in {poems['unknown_mark_share']:.1%}"
    )
    print(
        "forms (half-line length x half-lines): written, the scored poems' own; total variation "
        f"{poems['layout_distance']:.3f} (to the whole file's mix: {poems['whole_file_distance']:.3f})"
    )
    written, corpus = poems["layouts"], poems["corpus_layouts"]
    commonest = sorted(written.keys() | corpus.keys(), key=lambda k: -corpus.get(k, 0) - written.get(k, 0))
    for key in commonest[:12]:
        print(f"  {key:>6}  {written.get(key, 0):6.1%}  {corpus.get(key, 0):6.1%}")


def record_evaluation(args: argparse.Namespace, figures: dict) -> None:
    """Put ``figures`` and how they were measured into the card of the checkpoint they measure."""
    from aigc_demo.backend.checkpoint import rewrite_card

    def put_evaluation(card: Any) -> None:
        card.extras["evaluation"] = {
            **figures,
            "data": args.data.name,
            "part": args.part,
            "seed": args.seed,
            "command": f"python -m aigc_demo eval {args.kind} --checkpoint {args.checkpoint} --data "
            f"{args.data.name} --part {args.part} --contexts {args.contexts} --seed {args.seed}",
        }

    rewrite_card(default_hub().entry(args.checkpoint).path, put_evaluation)


def run_image(args: argparse.Namespace) -> int:
    from aigc_demo.data.mnist import load_mnist
    from aigc_demo.evaluation.image import evaluate_samples, evaluate_vae

    hub = default_hub()
    generator, classifier = hub.load(args.checkpoint), hub.load(args.classifier)
    test, train = load_mnist(args.data, "test"), load_mnist(args.data, "train")
    figures = {}
    if generator.entry.card.kind == "image-vae":
        figures.update(evaluate_vae(generator.module, test, seed=args.seed))
    report = evaluate_samples(generator.module, classifier.module, test, args.samples, args.seed, train)
    figures.update(asdict(report))
    if args.record:
        _record_image_figures(args, report)
    if args.json:
        print(json.dumps(figures, indent=2))
        return 0
    print(
        f"{args.checkpoint}, judged by {args.classifier} ({report.classifier_accuracy:.2%} on the "
        f"{len(test)} test images)"
    )
    if "test_nelbo_nats" in figures:
        print(
            f"test negative ELBO: {figures['test_nelbo_nats']:.2f} nats per image "
            f"(reconstruction {figures['test_reconstruction_nats']:.2f} + KL {figures['test_kl_nats']:.2f})"
        )
    print(
        f"Fréchet distance to the test set: {report.samples} samples {report.frechet_distance:.3f}, "
        f"{report.samples} real training images {report.frechet_distance_real:.3f}"
    )
    if report.recognition is not None:
        print(f"samples recognised as the asked class: {report.recognition:.2%}")
    return 0


def _record_image_figures(args: argparse.Namespace, report: Any) -> None:
    figures = {
        "frechet_distance": round(report.frechet_distance, 2),
        "frechet_distance_real_images": round(report.frechet_distance_real, 2),
    }
    if report.recognition is not None:
        figures = {"recognised_as_asked": round(report.recognition, 4), **figures}
    command = (
        f"python -m aigc_demo eval image --checkpoint {args.checkpoint} --data {args.data.name} "
        f"--classifier {args.classifier} --samples {args.samples} --seed {args.seed}"
    )
    record_metrics(args.checkpoint, figures, command)


def record_metrics(checkpoint: str, figures: dict[str, float], command: str) -> None:
    """Put ``figures`` first in the card's metrics (the first is the headline) and the command
    that measured them among its evaluation commands; the weights are written back unchanged."""
    from aigc_demo.backend.checkpoint import rewrite_card

    def put_figures(card: Any) -> None:
        card.metrics = {**figures, **{k: v for k, v in card.metrics.items() if k not in figures}}
        commands = card.extras.setdefault("evaluation_commands", [])
        if command not in commands:
            commands.append(command)

    rewrite_card(default_hub().entry(checkpoint).path, put_figures)


def _record_speech_figures(args: argparse.Namespace, report: Any) -> None:
    if report.diversity_ratio is None:
        raise ValueError("--record needs --data: the diversity is measured against real recordings")
    default = args.temperature == DEFAULT_TEMPERATURE
    suffix = "" if default else f"_at_temperature_{args.temperature:g}"
    figures = {
        ("recognised_as_asked_digit" if default else f"recognised{suffix}"): round(report.recognition, 4),
        f"diversity_ratio{suffix}": round(report.diversity_ratio, 2),
    }
    if default:
        figures["spectral_flatness"] = round(report.flatness_generated, 3)
    command = f"python -m aigc_demo eval speech --checkpoint {args.checkpoint} --data {args.data.name}"
    record_metrics(
        args.checkpoint, figures, command + ("" if default else f" --temperature {args.temperature:g}")
    )


def run_speech(args: argparse.Namespace) -> int:
    from aigc_demo.data.spoken_digits import load_spoken_digits
    from aigc_demo.evaluation.speech import evaluate_speech

    if not 2 <= args.per_digit <= 1000:
        raise ValueError("--per-digit must be between 2 and 1000")
    hub = default_hub()
    generator, classifier = hub.load(args.checkpoint), hub.load(args.classifier)
    held_out = load_spoken_digits(args.data).split()[1] if args.data else None
    report = evaluate_speech(
        generator.module, classifier.module, args.per_digit, args.seed, held_out, args.temperature
    )
    if args.record:
        _record_speech_figures(args, report)
    if args.json:
        print(json.dumps({**asdict(report), "diversity_ratio": report.diversity_ratio}, indent=2))
        return 0
    clips = 10 * args.per_digit
    print(
        f"generator {args.checkpoint} at temperature {args.temperature:g}, judged by {args.classifier} "
        f"over {clips} clips "
        f"({args.per_digit} per digit, seeds {args.seed}-{args.seed + clips - 1})"
    )
    if report.classifier_accuracy_real is not None:
        print(
            f"classifier accuracy on {len(held_out)} held-out real recordings: "
            f"{report.classifier_accuracy_real:.1%}"
        )
    print(f"generated clips recognised as the asked digit: {report.recognition:.1%}")
    print("  per digit: " + "  ".join(f"{d}:{r:.0%}" for d, r in enumerate(report.recognition_per_digit)))
    line = f"diversity (mean feature distance within a digit): generated {report.diversity_generated:.3f}"
    if report.diversity_real is not None:
        line += f", real {report.diversity_real:.3f}, ratio {report.diversity_ratio:.2f}"
    print(line)
    floor = "noise floor (the quietest tenth of frames, below the loudest): "
    floor += f"generated {report.noise_floor_generated:.1f} dB"
    if report.noise_floor_real is not None:
        floor += f", real {report.noise_floor_real:.1f} dB"
        floor += f", real through the same vocoder {report.noise_floor_real_vocoded:.1f} dB"
    print(floor)
    flatness = (
        f"spectral flatness while sounding (0 tone, 1 noise): generated {report.flatness_generated:.3f}"
    )
    if report.flatness_real is not None:
        flatness += (
            f", real {report.flatness_real:.3f}, through the vocoder {report.flatness_real_vocoded:.3f}"
        )
    print(flatness)
    return 0
