"""The latent map: stored codes of test images, their discriminant axes, the picture, clicks."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch

from aigc_demo.backend.checkpoint import read_card
from aigc_demo.cli import main
from aigc_demo.data.mnist import load_mnist
from aigc_demo.pipelines import latent_map
from aigc_demo.pipelines.image import decode, latent_code
from aigc_demo.training.latent_map import latent_map as compute_map
from tests.helpers import make_card, make_image_model, make_model, write_bar_digits


def test_discriminant_axes_separate_groups_that_overlap_along_the_widest_direction():
    # Three groups that differ only along dimension 3, while dimension 0 has by far the most
    # spread: principal axes would show the spread; the discriminants must find dimension 3.
    generator = torch.Generator().manual_seed(0)
    labels = torch.arange(3).repeat_interleave(200)
    codes = torch.randn(600, 5, generator=generator) * torch.tensor([10.0, 1, 1, 0.3, 1])
    codes[:, 3] += labels * 2.0
    axes = latent_map.discriminant_axes(codes, labels)
    assert axes.shape == (2, 5)
    first = axes[0] / axes[0].norm()
    assert first[3].abs() > 0.95
    projected = codes @ axes[0]
    means = [projected[labels == k].mean() for k in range(3)]
    spread = max(projected[labels == k].std() for k in range(3))
    assert min(abs(a - b) for i, a in enumerate(means) for b in means[i + 1 :]) > 2 * spread


@pytest.fixture
def mapped_hub(hub, tmp_path):
    images = load_mnist(write_bar_digits(tmp_path / "bars", train=20, test=200), "test")
    model = make_image_model()
    stored = compute_map(model, images, count=150, seed=1)
    hub.save("mapped", model, make_card(kind="image-vae", config=model.config, extras={"map": stored}))
    hub.save("unmapped", model, make_card(kind="image-vae", config=model.config))
    return hub


def test_a_stored_map_draws_and_picks_the_point_under_a_click(mapped_hub):
    loaded = mapped_hub.load("mapped")
    assert latent_map.has_map(loaded)
    assert not latent_map.has_map(mapped_hub.load("unmapped"))
    flat = latent_map.load_map(loaded)
    assert flat.codes.shape == (150, 4)
    assert len(flat.labels) == 150
    picture = latent_map.map_picture(flat)
    assert picture.shape == (latent_map.SIZE, latent_map.SIZE, 3)
    far = flat.points.copy()
    far[[3, 4]] = flat.high + (flat.high - flat.low) * [[0.01, 0.02], [-0.02, 0.06]]  # just off the frame
    far_off = latent_map.map_picture(dataclasses.replace(flat, points=far))
    assert flat.inside().all()
    assert dataclasses.replace(flat, points=far).inside().sum() == 148
    coloured = (far_off.max(-1) - far_off.min(-1)) > 40  # the dots; the frame and the words are grey
    margin, size = latent_map.MARGIN, latent_map.SIZE
    coloured[margin - 3 : size - margin + 3, margin - 3 : size - margin + 3] = False
    coloured[:16] = False  # the legend's squares along the top
    assert not coloured.any()  # no dot beyond the axes or over the legend
    for index in np.flatnonzero(flat.inside())[[0, 17, -1]]:
        x, y = flat.to_pixel(flat.points[index])
        assert np.allclose(flat.points[flat.nearest(x, y)], flat.points[index])
    code = flat.codes[17]
    assert np.allclose(flat.coordinates(code), flat.points[17], atol=1e-5)
    # The current position follows the code the picture is drawn from.
    assert np.allclose(
        flat.coordinates(latent_code(loaded, 0, start=code.tolist())), flat.points[17], atol=1e-5
    )
    ringed = latent_map.map_picture(flat, flat.points[17])
    x, y = (round(v) for v in flat.to_pixel(flat.points[17]))
    assert (ringed[y - 10 : y + 11, x - 10 : x + 11] == 0).all(-1).any()  # a black ring around it
    assert not (picture[y - 10 : y + 11, x - 10 : x + 11] == 0).all(-1).any()
    assert decode(loaded, 0, start=code.tolist()).shape == (280, 280)
    with pytest.raises(ValueError, match="no latent map"):
        latent_map.load_map(mapped_hub.load("unmapped"))


def test_the_map_legend_names_the_classes_when_the_card_does(hub, tmp_path):
    images = load_mnist(write_bar_digits(tmp_path / "bars", train=20, test=200), "test")
    model = make_image_model()
    names = tuple(f"class-{k}" for k in range(10))
    for name, class_names in (("numbered", None), ("named", names)):
        stored = compute_map(model, images, count=120, class_names=class_names)
        hub.save(name, model, make_card(kind="image-vae", config=model.config, extras={"map": stored}))
    assert latent_map.load_map(hub.load("numbered")).names == [str(k) for k in range(10)]
    named = latent_map.load_map(hub.load("named"))
    assert named.names == list(names)
    assert latent_map.map_picture(named).shape == (latent_map.SIZE, latent_map.SIZE, 3)


def test_cli_stores_a_map_in_a_checkpoint_and_keeps_the_weights(tmp_path, capsys):
    from aigc_demo.backend.checkpoint import load_checkpoint, save_checkpoint

    data = write_bar_digits(tmp_path / "bars", train=20, test=60)
    model = make_image_model()
    path = tmp_path / "vae.safetensors"
    save_checkpoint(path, model.state_dict(), make_card(kind="image-vae", config=model.config))
    before, _ = load_checkpoint(path)
    assert main(["latent-map", "--checkpoint", str(path), "--data", str(data), "--points", "40"]) == 0
    after, card = load_checkpoint(path)
    assert len(card.extras["map"]["codes"]) == 40
    assert all(torch.equal(before[name], after[name]) for name in before)
    other = tmp_path / "other.safetensors"
    save_checkpoint(other, make_model().state_dict(), make_card())
    assert main(["latent-map", "--checkpoint", str(other), "--data", str(data)]) == 2
    assert "not an image VAE" in capsys.readouterr().err
    assert "map" not in read_card(other).extras
