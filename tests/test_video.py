"""The world model and its clips: the moving-digits protocol, the two baselines, a short real training
run, moving digits checked as they come from a caller, the page's handlers, receipts and the CLI."""

from __future__ import annotations

import base64
import math

import numpy as np
import pytest
import torch

from aigc_demo.cli import main as cli_main
from aigc_demo.data.moving_digits import ROOM, SPEED, moving_clips, trajectories, validation_clips
from aigc_demo.evaluation.video import blobs, constant_velocity, copy_last, frame_mse
from aigc_demo.pipelines import receipts, video
from aigc_demo.pipelines.check import check_file
from aigc_demo.training.world_model import WorldTrainingConfig, train_world_model
from tests.helpers import TINY_WORLD, bar_digits, make_world_model, png_bytes, world_card


@pytest.fixture
def world_hub(hub):
    model = make_world_model()
    hub.save("world", model, world_card(model))
    return hub


def test_digits_bounce_inside_the_frame_at_the_protocols_speed():
    corners = trajectories(200, 20, np.random.default_rng(0))
    assert corners.min() >= 0
    assert corners.max() <= ROOM
    steps = np.linalg.norm(np.diff(corners, axis=1), axis=-1)
    assert np.median(steps) == pytest.approx(SPEED)  # bounces only shorten a step
    clips = moving_clips(bar_digits(), 8, seed=3)
    assert clips.shape == (8, 20, 64, 64)
    assert clips.dtype == np.uint8
    assert np.array_equal(clips, moving_clips(bar_digits(), 8, seed=3))
    assert (clips.reshape(8, 20, -1).max(-1) == 255).all()  # every frame shows its digits


def test_constant_velocity_follows_each_blob_and_beats_copying_the_last_frame():
    clip = np.zeros((1, 14, 64, 64), dtype=np.float32)
    for frame in range(14):  # two squares: one moving right 3 px a frame, one down 2 px a frame
        clip[0, frame, 5:10, 2 + 3 * frame : 7 + 3 * frame] = 1.0
        clip[0, frame, 30 + 2 * frame : 35 + 2 * frame, 40:45] = 1.0
    seen, future = torch.from_numpy(clip[:, :10]), torch.from_numpy(clip[:, 10:])
    assert int(blobs(seen[0, -1]).max()) == 2
    assert frame_mse(constant_velocity(seen, 4), future) == 0.0
    assert frame_mse(copy_last(seen, 4), future) > 20


def test_a_short_training_run_continues_held_out_clips_better_than_copying():
    def make(count, frames, rng):
        return moving_clips(bar_digits(40), count, frames, seed=int(rng.integers(2**31)))

    valid = validation_clips(bar_digits(40, seed=1), count=16)
    config = WorldTrainingConfig(epochs=1, batch_size=16, learning_rate=1e-2, evaluate_every=30, **TINY_WORLD)
    _, metrics = train_world_model(make, valid, config, log=lambda line: None)
    frames = torch.from_numpy(valid).float() / 255
    copying = frame_mse(copy_last(frames[:, :10], 10), frames[:, 10:])
    assert math.isfinite(metrics["valid_mse"])
    assert metrics["valid_mse"] < copying


def test_a_dream_is_the_same_for_a_seed_and_temperature_zero_is_the_mean():
    model = make_world_model()
    movers = video.example_movers(model, seed=4, count=2)
    seen = video.real_clip(movers, 6)
    one = list(video.dreamed(model, seen, 5, 0.8, seed=1))
    assert all(
        np.array_equal(a, b) for a, b in zip(one, video.dreamed(model, seen, 5, 0.8, seed=1), strict=True)
    )
    assert not all(
        np.array_equal(a, b) for a, b in zip(one, video.dreamed(model, seen, 5, 0.8, seed=2), strict=True)
    )
    mean = video.continue_clips(model, seen[None], 5)[0]
    assert np.array_equal(mean, np.stack(list(video.dreamed(model, seen, 5, 0.0, seed=9))))


def test_moving_digits_from_a_caller_are_checked_before_they_are_used():
    good = video.example_movers(make_world_model(), 0, 1)[0].as_setting()
    assert video.check_movers([good])[0].as_setting() == good
    bad_settings = [
        [],  # no digit
        [good] * (video.MOST_DIGITS + 1),
        [{**good, "extra": 1}],
        [{**good, "digit": good["digit"][:-4]}],  # 27 rows' worth
        [{**good, "digit": "A" * 10_000_000}],  # refused by length, never decoded
        [{**good, "digit": "!" * len(good["digit"])}],
        [{**good, "start": [1.0]}],
        [{**good, "angle": float("nan")}],
        [{**good, "angle": True}],
        "not a list",
    ]
    for settings in bad_settings:
        with pytest.raises(ValueError, match=r"digit|angle|start"):
            video.check_movers(settings)
    far = video.check_movers([{**good, "start": [-50, 1e9]}])[0]
    assert far.start == (0.0, ROOM)  # a start outside the frame is brought inside


def test_a_clips_receipt_remakes_it_and_check_says_so(world_hub, tmp_path):
    loaded = world_hub.load("world")
    movers = [m.as_setting() for m in video.example_movers(loaded.module, 2, 2)]
    animation, strip = receipts.clip(loaded, movers=movers, seen=4, frames=6, temperature=0.5, seed=3)
    assert len(animation.content.frames()) == 10
    path = receipts.save(animation, tmp_path / "dream.gif")
    assert check_file(world_hub, path).code == 0
    strip_path = receipts.save(strip, tmp_path / "strip.png")
    assert check_file(world_hub, strip_path).code == 0
    with pytest.raises(ValueError, match="1 to 60"):
        receipts.clip(loaded, movers=movers, seen=4, frames=500, temperature=0.5, seed=3)


def test_the_cli_continues_arrays_and_dreams_a_labelled_gif(world_hub, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("aigc_demo.cli.video.default_hub", lambda: world_hub)
    context = moving_clips(bar_digits(), 3, frames=10, seed=1)
    np.save(tmp_path / "in.npy", context)
    out = tmp_path / "out.npy"
    args = ["video", "--checkpoint", "world", "--context", str(tmp_path / "in.npy"), "--frames", "7"]
    assert cli_main([*args, "--out", str(out), "--temperature", "0.7", "--seed", "5"]) == 0
    first = np.load(out)
    assert first.shape == (3, 7, 64, 64)
    assert first.dtype == np.uint8
    assert cli_main([*args, "--out", str(out), "--temperature", "0.7", "--seed", "5"]) == 0
    assert np.array_equal(first, np.load(out))
    np.save(tmp_path / "floats.npy", context.astype(np.float32))
    bad = ["video", "--checkpoint", "world", "--context", str(tmp_path / "floats.npy"), "--frames", "3"]
    assert cli_main([*bad, "--out", str(out)]) == 2
    assert "uint8" in capsys.readouterr().err
    gif = tmp_path / "dream.gif"
    assert cli_main(["video", "--checkpoint", "world", "--dream", "--frames", "8", "--out", str(gif)]) == 0
    assert check_file(world_hub, gif).code == 0


def test_the_pages_handlers_stream_the_dream_then_give_the_labelled_clip(world_hub):
    from aigc_demo.ui.handlers import Refusal
    from aigc_demo.ui.video_handlers import VideoHandlers, VideoState

    handlers = VideoHandlers(world_hub)
    shown = list(handlers.dream(VideoState("world", digits=2, seed=7, seen=5, frames=30)))
    assert shown[-1][0].endswith(".gif")
    assert all(animation is None for animation, _ in shown[:-1])
    gif, _ = handlers.video_clip("world", "examples", 3, 7, 5, 30, 0.5, 0, 0, 0, 0)
    assert len(receipts.gif_frames(gif)) == 35
    with pytest.raises(Refusal, match="2 to 10"):
        handlers.video_clip("world", "examples", 1, 7, 11, 30, 0.5, 0, 0, 0, 0)
    with pytest.raises(Refusal, match="examples, image, drawing"):
        handlers.video_clip("world", "../etc", 1, 7, 5, 30, 0.5, 0, 0, 0, 0)
    with pytest.raises(Refusal, match="draw a digit"):
        handlers.video_clip("world", "drawing", 1, 7, 5, 30, 0.5, 0)
    pad = np.full((280, 280), 255, dtype=np.uint8)
    pad[60:220, 130:150] = 0  # a one
    drawn = "data:image/png;base64," + base64.b64encode(png_bytes(pad)).decode()
    gif, _ = handlers.video_clip("world", "drawing", 1, 7, 5, 4, 0.5, 0, drawing=drawn)
    assert receipts.gif_frames(gif)[0].max() > 200  # the drawn one, light on the dark frame
    with pytest.raises(Refusal, match="needs the mnist-vae"):  # the hub has none
        handlers.video_clip("world", "image", 1, 7, 5, 30, 0.5, 0, 0, 0, 0)
    assert base64.b64decode(
        video.Mover(np.zeros((28, 28), np.uint8), (0, 0), 0).as_setting()["digit"]
    ) == bytes(784)


def square_gif(path, frames: int = 40, dark_on_light: bool = False) -> None:
    """A GIF of a square crossing a 96 x 80 picture, one frame per step."""
    from PIL import Image

    ground, ink = (255, 0) if dark_on_light else (0, 255)
    pictures = []
    for frame in range(frames):
        picture = Image.new("L", (96, 80), ground)
        picture.paste(ink, (2 * frame, 30, 2 * frame + 12, 42))
        pictures.append(picture)
    pictures[0].save(path, save_all=True, append_images=pictures[1:], duration=50, loop=0)


def test_a_visitors_clip_is_read_as_light_frames_on_dark_within_limits(tmp_path):
    from aigc_demo.data.archive import Limits
    from aigc_demo.data.clips import read_clip
    from aigc_demo.data.images import ImageFileError

    limits = Limits(max_files=500, max_bytes=10_000_000)
    square_gif(tmp_path / "light.gif", dark_on_light=True)
    frames = read_clip([tmp_path / "light.gif"], limits)
    assert frames.shape == (40, 64, 64)
    assert frames[:, 0, 0].max() == 0  # the white ground became dark, the square light
    assert frames.reshape(40, -1).max(1).min() > 200
    square_gif(tmp_path / "short.gif", frames=12)
    with pytest.raises(ImageFileError, match="30 to 400 frames; this one has 12"):
        read_clip([tmp_path / "short.gif"], limits)
    folder = tmp_path / "frames"
    folder.mkdir()
    from PIL import Image

    with Image.open(tmp_path / "light.gif") as gif:
        for index in range(35):
            gif.seek(index)
            gif.convert("L").save(folder / f"{index:03d}.png")
    from_folder = read_clip([folder], limits)
    assert np.array_equal(from_folder[5], frames[5])  # the frames in name order, as the GIF's


def test_the_app_trains_a_world_model_on_a_visitors_clip(hub, tmp_path):
    from aigc_demo.data.archive import Limits
    from aigc_demo.recipes import JobRequest, Run, recipe

    square_gif(tmp_path / "clip.gif", frames=40)
    chosen = recipe("world-model")
    limits = Limits(max_files=500, max_bytes=10_000_000)
    request = JobRequest("world-model", "squares", files=[str(tmp_path / "clip.gif")], epochs=1, minutes=0.1)
    plan = chosen.plan_job(request, hub, limits)
    assert plan.data[1].shape == (1, 20, 64, 64)  # its last 20 frames held out
    trained = chosen.train(plan, Run(log=lambda line: None))
    assert math.isfinite(trained.metrics["valid_mse"])
    assert chosen.preview(plan)(trained.model).shape == (266, 658)  # two pairs of rows of 10 frames
    heavy = JobRequest(
        "world-model",
        "heavy",
        files=[str(tmp_path / "clip.gif")],
        preset="base",
        settings={"batch_size": 1024},
    )
    with pytest.raises(ValueError, match="GB for each training step"):
        chosen.plan_job(heavy, hub, limits)
