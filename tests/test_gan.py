"""The image GAN: the model, its training, its directions, inversion and the Image tab's use of it."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError
from PIL import Image

from aigc_demo.data.mnist import load_mnist
from aigc_demo.models.image_gan import ImageGAN
from aigc_demo.pipelines import image
from aigc_demo.training.common import Monitor
from aigc_demo.training.gan import ImageGANTrainingConfig, generated_batch, train_image_gan
from tests.helpers import make_card, running_app, write_bar_digits


def make_gan(classes: int = 10, seed: int = 0) -> ImageGAN:
    torch.manual_seed(seed)
    model = ImageGAN(latent_dim=6, channels=8, classes=classes, num_directions=3).eval()
    with torch.no_grad():
        model.directions.copy_(torch.nn.functional.normalize(torch.randn(3, 6), dim=1))
    return model


def test_gan_draws_pixels_in_the_unit_range_and_needs_its_class():
    model = make_gan()
    z = torch.randn(4, 6)
    with torch.no_grad():
        pictures = model.decode(z, torch.tensor([0, 1, 2, 3]))
    assert pictures.shape == (4, 1, 28, 28)
    assert float(pictures.min()) >= 0
    assert float(pictures.max()) <= 1
    assert model.realness(pictures, torch.tensor([0, 1, 2, 3])).shape == (4,)
    with pytest.raises(ValueError, match="class-conditional"):
        model.decode(z)
    assert make_gan(classes=0).decode(z).shape == (4, 1, 28, 28)


def test_gan_checkpoint_round_trips_with_its_spectral_norms(hub):
    model = make_gan()
    hub.save("gan", model, make_card(kind="image-gan", config=model.config))
    loaded = hub.load("gan").module
    z, labels = torch.randn(3, 6), torch.tensor([4, 5, 6])
    with torch.no_grad():
        torch.testing.assert_close(loaded.decode(z, labels), model.decode(z, labels))
        torch.testing.assert_close(
            loaded.realness(model.decode(z, labels), labels), model.realness(model.decode(z, labels), labels)
        )


@pytest.fixture(scope="module")
def bars(tmp_path_factory):
    return load_mnist(write_bar_digits(tmp_path_factory.mktemp("bars"), train=400, test=50))


def test_conditional_gan_learns_where_each_class_draws_its_bar(bars):
    """Class k of the bar digits is a bright bar at rows 2 + 2k and 3 + 2k: a trained
    conditional generator must put each class's bar there."""
    config = ImageGANTrainingConfig(
        epochs=30, batch_size=32, latent_dim=4, channels=8, num_directions=2, learning_rate=5e-3
    )
    logs: list[str] = []
    model, metrics, directions = train_image_gan(bars, config, log=logs.append)
    assert len(logs) == 30
    assert metrics["epochs_run"] == 30
    _, labels, pictures = generated_batch(model, 200, seed=1)
    brightest = pictures[:, 0].mean(2).argmax(1)
    placed = [int(brightest[labels == k].median()) in (2 + 2 * k, 3 + 2 * k) for k in range(10)]
    assert sum(placed) >= 9, brightest.tolist()
    norms = model.directions.norm(dim=1)
    torch.testing.assert_close(norms, torch.ones(2))
    assert len(directions["principal"]) == 2
    assert [d["name"] for d in directions["named"]] == ["ink", "slant", "width"]  # no class directions


def test_the_critic_s_class_head_learns_the_digits_and_each_epoch_reports_recognition(bars):
    from aigc_demo.models.image_classifier import ImageClassifier

    torch.manual_seed(0)
    judge = ImageClassifier(channels=8, features=16).eval()
    config = ImageGANTrainingConfig(epochs=6, batch_size=32, latent_dim=4, channels=8, num_directions=2)
    logs: list[str] = []
    model, _, _ = train_image_gan(bars, config, judge=judge, log=logs.append)
    assert model.config["class_head"] is True
    assert all("recognised" in line and "Fréchet distance" in line for line in logs)
    with torch.no_grad():
        _, named = model.critic(bars.images[:200], bars.labels[:200], with_classes=True)
    assert (named.argmax(1) == bars.labels[:200]).float().mean() > 0.9  # it names real bars
    plain = ImageGANTrainingConfig(epochs=1, batch_size=32, latent_dim=4, channels=8, num_directions=2)
    plain.class_weight = 0.0
    without, _, _ = train_image_gan(bars, plain, log=lambda _: None)
    assert "class_head" not in without.config
    assert without.critic.classify is None


def test_gan_training_stops_within_one_step_when_asked(bars):
    class StopAfter(Monitor):
        def __init__(self) -> None:
            self.steps: list[int] = []

        def step(self, step, total, losses):
            self.steps.append(step)
            assert set(losses) == {"critic", "generator"}

        def stop_requested(self) -> bool:
            return len(self.steps) >= 3

    monitor = StopAfter()
    config = ImageGANTrainingConfig(epochs=5, batch_size=32, latent_dim=4, channels=8, num_directions=2)
    _, metrics, _ = train_image_gan(bars, config, log=lambda _: None, monitor=monitor)
    assert monitor.steps == [1, 2, 3]
    assert metrics["epochs_run"] == 1


def test_inversion_finds_a_code_for_a_generated_picture_without_touching_the_weights(hub):
    model = make_gan()
    hub.save("gan", model, make_card(kind="image-gan", config=model.config))
    loaded = hub.load("gan")
    target_code = torch.randn(6) * 0.8
    label = torch.tensor([7])
    with torch.no_grad():
        target = loaded.module.decode(target_code[None], label)[0]
    reported: list[tuple[int, int]] = []
    code = image.encode(loaded, target, 7, on_step=lambda step, total: reported.append((step, total)))
    assert code.shape == (6,)
    assert reported[-1] == (image.INVERSION_STEPS, image.INVERSION_STEPS)
    assert len(reported) == image.INVERSION_STEPS
    assert all(p.grad is None for p in loaded.module.parameters())
    with torch.no_grad():
        found = loaded.module.decode(code[None], label)[0]
        unrelated = loaded.module.decode(torch.randn(1, 6), label)[0]
    assert (found - target).abs().mean() < 0.5 * (unrelated - target).abs().mean()


def test_latent_tools_work_on_a_gan(hub):
    model = make_gan()
    hub.save("gan", model, make_card(kind="image-gan", config=model.config))
    loaded = hub.load("gan")
    picture = image.decode(loaded, 5, [1.0, 0, 0], label=3)
    assert picture.shape == (280, 280)
    assert not np.array_equal(picture, image.decode(loaded, 5, [-1.0, 0, 0], label=3))
    moved = image.latent_code(loaded, 5, [0.0, 1.5, 0.0], raw=True) - image.latent_code(loaded, 5)
    torch.testing.assert_close(moved, torch.tensor([0.0, 1.5, 0, 0, 0, 0]))  # raw: dimension 2 itself
    truncated = image.latent_code(loaded, 5, truncation=0.5)
    torch.testing.assert_close(truncated, 0.5 * image.latent_code(loaded, 5))  # ψ scales the noise
    for bad in (0.0, 1.5, float("nan"), "x"):
        with pytest.raises(ValueError, match="truncation"):
            image.decode(loaded, 5, label=3, truncation=bad)
    assert image.interpolate(loaded, 1, 2, 5, "slerp", label=3).shape == (5, 1, 28, 28)
    assert image.manifold(loaded, 1, "1", "2", 3, label=3).shape == (9, 1, 28, 28)
    assert image.blend_corners(loaded, [1, 2, 3, 4], 0.5, 0.5, label=3).shape == (280, 280)
    a, b = torch.randn(6), torch.randn(6)
    path = image.interpolate_codes(loaded, a.tolist(), b.tolist(), 4, "lerp", label=2)
    with torch.no_grad():
        torch.testing.assert_close(path[0], model.decode(a[None], torch.tensor([2]))[0])
        torch.testing.assert_close(path[-1], model.decode(b[None], torch.tensor([2]))[0])
    with pytest.raises(ValueError, match="latent code"):
        image.interpolate_codes(loaded, [1.0], b.tolist(), 4, "lerp", label=2)
    morph = image.interpolate_classes(loaded, 5, 3, 8, 6)
    assert morph.shape == (6, 1, 28, 28)
    with torch.no_grad():
        z = image.latent_code(loaded, 5)[None]
        torch.testing.assert_close(morph[0], model.decode(z, torch.tensor([3]))[0])
        torch.testing.assert_close(morph[-1], model.decode(z, torch.tensor([8]))[0])
    for bad in (10, "x", None):
        with pytest.raises(ValueError, match="class"):
            image.interpolate_classes(loaded, 5, 3, bad, 6)
    images, labels = image.sample(model, 20, seed=0)
    assert images.shape == (20, 1, 28, 28)
    assert labels.tolist() == [i % 10 for i in range(20)]


def test_the_image_tab_serves_a_gan_and_encodes_a_drawing_into_it(tmp_path):
    from aigc_demo.backend.hub import ModelHub

    hub = ModelHub(tmp_path / "shipped", tmp_path / "user")
    model = make_gan()
    hub.save("gan", model, make_card(kind="image-gan", config=model.config))
    drawing = np.full((200, 200), 255, dtype=np.uint8)
    drawing[40:160, 90:110] = 0  # a dark "1" on white paper
    path = tmp_path / "one.png"
    Image.fromarray(drawing).save(path)
    with running_app(hub) as url:
        client = Client(url, verbose=False)
        assert [m["kind"] for m in client.predict(api_name="/list_models")] == ["image-gan"]
        centre, named = [0.0] * 8, [0.0, 0.0, 0.0, None, 0.0]
        with Image.open(client.predict("gan", "4", 3, *centre, *named, api_name="/decode")) as picture:
            assert picture.size == (280, 280)
        along = [0.0, 2.0, *[0.0] * 6]
        principal = client.predict("gan", "4", 3, *along, *named, 1.0, "principal", api_name="/decode")
        raw = client.predict("gan", "4", 3, *along, *named, 1.0, "raw", api_name="/decode")
        with Image.open(principal) as first, Image.open(raw) as second:
            assert first.tobytes() != second.tobytes()
        prepared, rebuilt, code, *sliders = client.predict(
            "gan", "1", None, handle_file(str(path)), api_name="/encode"
        )
        for shown in (prepared, rebuilt):
            with Image.open(shown) as picture:
                assert picture.size == (280, 280)
        assert len(code) == 6
        assert sliders == [0.0] * 12
        with pytest.raises(AppError, match="encode two drawings first"):
            client.predict("gan", "1", 1, 2, 5, "slerp", "drawings", "8", api_name="/interpolate")
        drawing[40:60, 60:140] = 0  # now a "7": the second drawing of this page
        Image.fromarray(drawing).save(path)
        second = client.predict("gan", "1", None, handle_file(str(path)), api_name="/encode")[2]
        assert second != code
        gif, _ = client.predict("gan", "1", 1, 2, 4, "lerp", "drawings", "8", api_name="/interpolate")
        with Image.open(gif) as animation:
            assert animation.n_frames == 6  # 4 frames forward, 2 back
        gif, strip = client.predict("gan", "3", 1, 2, 5, "slerp", "classes", "8", api_name="/interpolate")
        with Image.open(gif) as animation:
            assert animation.n_frames == 8  # 5 frames forward, 3 back
        with Image.open(strip) as frames:
            assert frames.size[0] > 4 * frames.size[1]
