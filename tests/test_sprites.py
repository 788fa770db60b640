"""Procedural sprites: exact rendering of known factors, and a VAE whose sliders are named by them."""

from __future__ import annotations

import math

import pytest
import torch

from aigc_demo.data.sprites import RANGES, SHAPES, _hue_to_rgb, make_sprites, render


def one(shape: str, size: float = 0.25, rotation: float = 0.0, x: float = 0.5, y: float = 0.5, hue=0.0):
    factors = {
        "shape": torch.tensor([SHAPES.index(shape)]),
        "size": torch.tensor([size]),
        "rotation": torch.tensor([rotation]),
        "x": torch.tensor([x]),
        "y": torch.tensor([y]),
        "hue": torch.tensor([hue]),
    }
    return render(factors, size=64)[0]


@pytest.mark.parametrize(
    ("shape", "area"),
    [("square", 2.0), ("circle", math.pi), ("triangle", 3 * math.sqrt(3) / 4)],  # times radius squared
)
def test_each_shape_covers_its_true_area(shape, area):
    radius_px = 0.25 * 64
    for rotation in (0.0, 0.3):
        ink = one(shape, rotation=rotation).amax(0)
        assert float(ink.sum()) == pytest.approx(area * radius_px**2, rel=0.02)


def test_position_rotation_and_colour_follow_their_factors():
    ink = one("circle", size=0.15, x=0.3, y=0.7).amax(0)
    rows, cols = torch.meshgrid(torch.arange(64.0) + 0.5, torch.arange(64.0) + 0.5, indexing="ij")
    assert float((ink * cols).sum() / ink.sum()) == pytest.approx(0.3 * 64, abs=0.1)
    assert float((ink * rows).sum() / ink.sum()) == pytest.approx(0.7 * 64, abs=0.1)
    assert not torch.equal(one("square", rotation=0.0), one("square", rotation=0.5))
    torch.testing.assert_close(one("circle", rotation=0.0), one("circle", rotation=0.5))  # no angle
    centre = one("square", hue=1 / 3)[:, 32, 32]
    torch.testing.assert_close(centre, torch.tensor([0.0, 1.0, 0.0]))  # a third of the wheel: green
    wheel = _hue_to_rgb(torch.tensor([0.0, 1 / 6, 0.5, 2 / 3]))
    torch.testing.assert_close(wheel, torch.tensor([[1.0, 0, 0], [1, 1, 0], [0, 1, 1], [0, 0, 1]]))


def test_sprite_sets_are_reproducible_and_in_range():
    sprites = make_sprites(300, seed=4)
    assert sprites.images.shape == (300, 3, 32, 32)
    assert float(sprites.images.min()) >= 0
    assert float(sprites.images.max()) <= 1
    assert torch.equal(sprites.images, make_sprites(300, seed=4).images)
    assert not torch.equal(sprites.images, make_sprites(300, seed=5).images)
    assert set(sprites.factors["shape"].tolist()) == {0, 1, 2}
    for name, (low, high) in RANGES.items():
        values = sprites.factors[name]
        assert low <= float(values.min())
        assert float(values.max()) <= high
    assert sprites.as_image_set().labels is sprites.factors["shape"]
    for bad in (0, 10**7):
        with pytest.raises(ValueError, match="number of sprites"):
            make_sprites(bad)


def test_vae_directions_on_sprites_are_named_by_the_factors():
    from aigc_demo.training.image import ImageVAETrainingConfig, train_image_vae

    train, test = make_sprites(1500, seed=0), make_sprites(200, seed=1)
    traits = {k: v for k, v in train.factors.items() if k != "shape"}
    config = ImageVAETrainingConfig(
        epochs=3, batch_size=64, beta=4, latent_dim=6, channels=8, num_directions=4
    )
    model, _, directions = train_image_vae(
        train.as_image_set(),
        test.as_image_set(),
        config,
        log=lambda _: None,
        traits=traits,
        class_names=SHAPES,
    )
    assert model.config["image_channels"] == 3
    assert model.config["size"] == 32
    named = {d["name"]: d for d in directions["named"]}
    assert set(named) == {*RANGES, *SHAPES}
    # Position is what a VAE learns first on sprites: its fit must already be strong.
    assert named["x"]["fit"] > 0.6
    assert named["y"]["fit"] > 0.6
    assert any(d["trait"] in ("x", "y") for d in directions["principal"])


def test_cli_trains_a_vae_on_the_built_in_sprites(tmp_path, monkeypatch):
    from aigc_demo.backend import hub as hub_module
    from aigc_demo.backend.checkpoint import load_checkpoint
    from aigc_demo.cli import main
    from aigc_demo.data import sources

    monkeypatch.setenv("AIGC_HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)  # no folder named "sprites" here: the built-in set is meant
    monkeypatch.setattr(sources, "SPRITE_COUNTS", {"train": 600, "test": 100})
    hub_module.default_hub.cache_clear()
    try:
        out = tmp_path / "shapes.safetensors"
        args = ["train", "vae", "--data", "sprites", "--out", str(out), "--epochs", "1", "--channels", "8"]
        assert main([*args, "--latent-dim", "4", "--directions", "2", "--beta", "4"]) == 0
        _, card = load_checkpoint(out)
        assert card.dataset.name == "procedural sprites"
        assert "shapes" in card.description
        assert {d["name"] for d in card.extras["directions"]["named"]} == {*RANGES, *SHAPES}
    finally:
        hub_module.default_hub.cache_clear()
