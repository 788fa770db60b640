"""Image models: the IDX loader, the VAE, its training, decoding and the Image tab's API."""

import gzip
import io

import numpy as np
import pytest
import torch
from gradio_client import Client
from gradio_client.exceptions import AppError
from PIL import Image

from aigc_demo.backend.seeding import seeded_randn
from aigc_demo.data.mnist import IdxFormatError, is_official_mnist, load_mnist, read_idx
from aigc_demo.evaluation.image import evaluate_vae
from aigc_demo.models.image_vae import ImageVAE
from aigc_demo.pipelines.image import UPSCALE, check_label, decode, to_picture
from aigc_demo.pipelines.latents import prior_codes
from aigc_demo.training.image import ImageVAETrainingConfig, posterior_means, train_image_vae
from aigc_demo.training.latent_prior import components_for, fit_gaussian_mixture
from tests.helpers import make_card, make_image_model, make_model, running_app, write_bar_digits, write_idx


def test_idx_round_trip_plain_and_gzipped(tmp_path):
    array = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    for name in ("a.idx", "a.idx.gz"):
        assert np.array_equal(read_idx(write_idx(tmp_path / name, array)), array)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "too short"),
        (b"\x00\x00\x0d\x01\x00\x00\x00\x01abcd", "not an unsigned-byte IDX"),
        (b"\x00\x00\x08\x02\x00\x00", "ends inside its header"),
        (b"\x00\x00\x08\x01\x00\x00\x00\x05ab", "holds 2 bytes of data; its header says 5"),
        (
            b"\x00\x00\x08\x03\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff",
            "more than this loader accepts",
        ),
    ],
)
def test_bad_idx_files_are_refused_with_the_reason(tmp_path, content, message):
    path = tmp_path / "bad.idx"
    path.write_bytes(content)
    with pytest.raises(IdxFormatError, match=message):
        read_idx(path)


def test_an_idx_file_is_judged_by_its_header_before_its_data_is_read(tmp_path):
    """A small gzip that inflates far past what its header declares, or a header asking for huge
    pictures, is refused having read no more than the header allows (peak Python memory measured)."""
    import tracemalloc
    import zlib

    header = b"\x00\x00\x08\x03" + (2).to_bytes(4, "big") + (28).to_bytes(4, "big") * 2
    squeezer = zlib.compressobj(9, wbits=31)  # gzip framing
    body = [squeezer.compress(header)] + [squeezer.compress(bytes(1 << 20)) for _ in range(256)]
    bomb = tmp_path / "bomb-images-idx3-ubyte.gz"
    bomb.write_bytes(b"".join(body) + squeezer.flush())  # 256 MiB of data behind a 2-picture header
    huge = tmp_path / "huge-images-idx3-ubyte"
    huge.write_bytes(b"\x00\x00\x08\x03" + (2).to_bytes(4, "big") + (4096).to_bytes(4, "big") * 2)
    for path, message in ((bomb, "holds more bytes"), (huge, "at most 64 x 64")):
        tracemalloc.start()
        with pytest.raises(IdxFormatError, match=message):
            read_idx(path)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert peak < 2_000_000, (path.name, peak)
    assert bomb.stat().st_size < 1_000_000


def test_truncated_gzip_is_refused(tmp_path):
    path = tmp_path / "x.gz"
    path.write_bytes(gzip.compress(b"\x00\x00\x08\x01\x00\x00\x00\x04abcd")[:-6])
    with pytest.raises(IdxFormatError, match="could not be read"):
        read_idx(path)


def test_mnist_folder_loads_as_white_ink_on_black_in_unit_range(tmp_path):
    folder = write_bar_digits(tmp_path / "bars", train=30, test=10)
    train, test = load_mnist(folder), load_mnist(folder, "test")
    assert train.images.shape == (30, 1, 28, 28)
    assert len(test) == 10
    assert float(train.images.max()) == 1.0
    row = 2 + 2 * int(train.labels[0])
    assert float(train.images[0, 0, row, 10]) == 1.0
    assert not is_official_mnist(folder)


def test_mismatched_or_missing_files_are_refused(tmp_path):
    folder = write_bar_digits(tmp_path / "bars", train=30, test=10)
    write_idx(folder / "train-labels-idx1-ubyte.gz", np.zeros(7, dtype=np.uint8))
    with pytest.raises(IdxFormatError, match="do not pair up"):
        load_mnist(folder)
    with pytest.raises(FileNotFoundError, match="t10k-images"):
        load_mnist(tmp_path, "test")
    with pytest.raises(ValueError, match="split must be"):
        load_mnist(folder, "validation")


def test_vae_training_lowers_the_negative_elbo(tmp_path):
    folder = write_bar_digits(tmp_path / "bars")
    train, test = load_mnist(folder), load_mnist(folder, "test")
    config = ImageVAETrainingConfig(
        epochs=3, batch_size=32, latent_dim=4, channels=8, hidden=32, num_directions=2
    )
    logs = []
    model, metrics, directions = train_image_vae(train, test, config, log=logs.append)
    assert len(logs) == 3
    untrained = evaluate_vae(make_image_model(), test)["test_nelbo_nats"]
    assert metrics["test_nelbo_nats"] < untrained
    assert metrics["test_nelbo_nats"] == pytest.approx(
        metrics["test_reconstruction_nats"] + metrics["test_kl_nats"], abs=0.05
    )
    assert model.directions.abs().sum() > 0
    assert len(directions["principal"]) == 2
    named = {(d["kind"], d["name"]): d for d in directions["named"]}
    assert set(named) == {("trait", "ink"), ("trait", "slant"), ("trait", "width")} | {
        ("class", str(c)) for c in range(10)
    }
    assert all(len(d["vector"]) == 4 and -1 <= d["fit"] <= 1 for d in named.values())
    components = len(train) // 50  # the bars are few: fewer Gaussians than the 32 asked for
    assert model.config["prior_components"] == metrics["prior_components"] == min(32, components)
    codes = posterior_means(model, train)
    drawn = prior_codes(model, 4000, seed=0)
    # samples from the learned prior lie where the training codes lie
    torch.testing.assert_close(drawn.mean(0), codes.mean(0), atol=0.15, rtol=0)
    torch.testing.assert_close(drawn.std(0), codes.std(0), atol=0.15, rtol=0.1)


def test_a_gaussian_mixture_finds_the_clusters_the_codes_came_from():
    generator = torch.Generator().manual_seed(0)
    near = torch.randn(700, 2, generator=generator) * 0.3 + torch.tensor([4.0, 0.0])
    far = torch.randn(300, 2, generator=generator) * torch.tensor([1.0, 0.2]) + torch.tensor([-4.0, 2.0])
    weights, means, scales, log_likelihood = fit_gaussian_mixture(torch.cat([near, far]), 2)
    order = means[:, 0].argsort(descending=True)
    torch.testing.assert_close(
        weights[order], torch.tensor([0.7, 0.3], dtype=torch.float64), atol=0.01, rtol=0
    )
    torch.testing.assert_close(
        means[order], torch.tensor([[4.0, 0.0], [-4.0, 2.0]], dtype=torch.float64), atol=0.1, rtol=0
    )
    spread = (scales[order] @ scales[order].transpose(1, 2)).diagonal(dim1=1, dim2=2).sqrt()
    torch.testing.assert_close(
        spread, torch.tensor([[0.3, 0.3], [1.0, 0.2]], dtype=torch.float64), atol=0.06, rtol=0
    )
    assert log_likelihood > -3
    assert (components_for(32, 60_000), components_for(32, 120), components_for(0, 500)) == (32, 2, 0)
    with pytest.raises(ValueError, match="at least as many codes"):
        fit_gaussian_mixture(torch.zeros(3, 2), 4)


def test_a_model_without_a_learned_prior_draws_the_same_codes_as_before():
    """Links and labelled files made with a model trained before the learned prior remake alike."""
    plain = make_image_model()
    assert "prior_components" not in plain.config
    torch.testing.assert_close(prior_codes(plain, 5, seed=7), seeded_randn((5, 4), 7))
    mixed = ImageVAE(latent_dim=4, channels=8, hidden=32, num_directions=3, prior_components=3)
    with torch.no_grad():
        mixed.prior_weights.copy_(torch.tensor([0.0, 1.0, 0.0]))  # every code from the second part
        mixed.prior_means[1] = torch.tensor([10.0, 0, 0, 0])
    codes = prior_codes(mixed, 6, seed=7)
    torch.testing.assert_close(codes - torch.tensor([10.0, 0, 0, 0]), seeded_randn((6, 4), 7))
    with pytest.raises(ValueError, match="prior_components"):
        ImageVAE(prior_components=10_000)


def test_conditional_vae_needs_and_uses_the_label(tmp_path):
    folder = write_bar_digits(tmp_path / "bars")
    train, test = load_mnist(folder), load_mnist(folder, "test")
    config = ImageVAETrainingConfig(
        epochs=2, batch_size=32, latent_dim=4, channels=8, hidden=32, num_directions=2, conditional=True
    )
    model, _, directions = train_image_vae(train, test, config, log=lambda _: None)
    assert [d["kind"] for d in directions["named"]] == ["trait"] * 3  # no class directions
    assert model.classes == 10
    with pytest.raises(ValueError, match="class-conditional"):
        model.encode(test.images[:2])


def test_picture_is_upscaled_with_crisp_pixels():
    import torch

    picture = to_picture(torch.tensor([[[0.0, 1.0], [0.5, 0.25]]]))
    assert picture.shape == (2 * UPSCALE, 2 * UPSCALE)
    assert picture.dtype == np.uint8
    assert set(np.unique(picture[:UPSCALE, :UPSCALE])) == {0}
    assert set(np.unique(picture[:UPSCALE, UPSCALE:])) == {255}


@pytest.fixture
def image_hub(hub):
    hub.save("plain", make_image_model(), make_card(kind="image-vae", config=make_image_model().config))
    conditional = make_image_model(classes=10)
    hub.save("by-class", conditional, make_card(kind="image-vae", config=conditional.config))
    return hub


def test_decode_is_deterministic_and_follows_the_sliders(image_hub):
    loaded = image_hub.load("plain")
    first = decode(loaded, 5, [0.5, 0, 0])
    assert first.shape == (280, 280)
    assert np.array_equal(first, decode(loaded, 5, [0.5, 0, 0]))
    assert not np.array_equal(first, decode(loaded, 5, [-2.5, 0, 0]))
    assert not np.array_equal(first, decode(loaded, 6, [0.5, 0, 0]))


def test_conditional_decode_checks_the_class(image_hub):
    loaded = image_hub.load("by-class")
    assert not np.array_equal(decode(loaded, 1, label=3), decode(loaded, 1, label=4))
    for bad in (None, "x", 10, -1, 2.5):
        with pytest.raises(ValueError, match="class"):
            check_label(loaded.module, bad)
    assert check_label(image_hub.load("plain").module, None) is None


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    from aigc_demo.backend.hub import ModelHub

    root = tmp_path_factory.mktemp("image-app")
    hub = ModelHub(root / "shipped", root / "user")
    model = make_image_model()
    hub.save("digits", model, make_card(kind="image-vae", config=model.config))
    hub.save("not-image", make_model(), make_card())
    with running_app(hub) as url:
        yield Client(url, verbose=False)


CENTRE = [0.0] * 8
NAMED = [0.0, 0.0, 0.0, None, 0.0]  # ink, slant, width, "more like digit", its strength


def test_decode_endpoint_returns_a_png_of_the_picture(client):
    path = client.predict("digits", "0", 3, 1.0, *CENTRE[1:], *NAMED, api_name="/decode")
    with Image.open(path) as picture:
        assert picture.format == "PNG"
        assert picture.size == (280, 280)


def test_random_endpoint_gives_a_seed_centred_sliders_and_a_picture(client):
    seed, *rest = client.predict("digits", "0", api_name="/random")
    assert 0 <= seed < 2**32
    assert rest[:12] == [0.0] * 12  # 8 principal, 3 trait sliders and the strength
    with Image.open(rest[12]) as picture:
        assert picture.size == (280, 280)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("digits", "0", 0, 3.5, *CENTRE[1:], *NAMED), "greater than maximum"),
        (("digits", "0", 0, 0, 0, 0, 1.0, *CENTRE[4:], *NAMED), "has 3 sliders"),
        (("nobody", "0", 0, *CENTRE, *NAMED), "no model named 'nobody'"),
        (("not-image", "0", 0, *CENTRE, *NAMED), "is not an image model"),
        ((None, "0", 0, *CENTRE, *NAMED), "no image model is installed"),
        (("digits", "0", None, *CENTRE, *NAMED), "seed must be"),
        (("digits", "0", 0, *CENTRE, 1.0, 0.0, 0.0, None, 0.0), "no direction named 'ink'"),
        (("digits", "0", 0, *CENTRE, 0.0, 0.0, 0.0, "7", 1.0), "no direction named '7'"),
    ],
)
def test_bad_requests_get_a_clear_message(client, args, message):
    with pytest.raises(AppError, match=message):
        client.predict(*args, api_name="/decode")


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", '"abc"', "null", "[1]"])
def test_non_numbers_sent_over_http_are_refused(client, value):
    import httpx

    body = '{"data": ["digits", "0", 0, ' + value + ", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, null, 0]}"
    base = client.src.rstrip("/")
    started = httpx.post(
        f"{base}/gradio_api/call/decode",
        content=body,
        headers={"content-type": "application/json"},
        timeout=30,
    )
    assert started.status_code == 200
    event_id = started.json()["event_id"]
    stream = httpx.get(f"{base}/gradio_api/call/decode/{event_id}", timeout=30).text
    assert "event: error" in stream


def test_sampling_cycles_classes_and_grids_the_images(image_hub):
    from aigc_demo.pipelines.image import grid, sample

    images, labels = sample(image_hub.load("by-class").module, 12, seed=0)
    assert images.shape == (12, 1, 28, 28)
    assert labels.tolist() == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]
    assert grid(images).shape == (3 * 30 + 2, 4 * 30 + 2)
    _, fixed = sample(image_hub.load("by-class").module, 3, seed=0, label=7)
    assert fixed.tolist() == [7, 7, 7]
    with pytest.raises(ValueError, match="not class-conditional"):
        sample(image_hub.load("plain").module, 2, seed=0, label=1)
    with pytest.raises(ValueError, match="between 1 and"):
        sample(image_hub.load("plain").module, 0, seed=0)


@pytest.fixture
def cli_hub(tmp_path, monkeypatch):
    from aigc_demo.backend import hub as hub_module

    monkeypatch.setenv("AIGC_HOME", str(tmp_path / "home"))
    hub_module.default_hub.cache_clear()
    model = make_image_model(classes=10)
    hub_module.default_hub().save("by-class", model, make_card(kind="image-vae", config=model.config))
    yield tmp_path
    hub_module.default_hub.cache_clear()


def test_cli_writes_a_grid_an_array_and_labels(cli_hub):
    from aigc_demo.cli import main

    out, npy, labels = cli_hub / "grid.png", cli_hub / "x.npy", cli_hub / "y.npy"
    args = [
        "image",
        "--checkpoint",
        "by-class",
        "--n",
        "10",
        "--seed",
        "1",
        "--out",
        str(out),
        "--npy",
        str(npy),
        "--labels-out",
        str(labels),
    ]
    assert main(args) == 0
    array = np.load(npy)
    assert array.shape == (10, 1, 28, 28)
    assert array.dtype == np.float32
    assert 0.0 <= array.min() <= array.max() <= 1.0
    assert np.load(labels).tolist() == list(range(10))
    with Image.open(out) as picture:
        assert picture.size == (4 * 30 + 2, 3 * 30 + 2)
    assert main(args) == 0
    assert np.array_equal(np.load(npy), array)  # same seed, same images


def test_cli_needs_somewhere_to_write(cli_hub, capsys):
    from aigc_demo.cli import main

    assert main(["image", "--checkpoint", "by-class"]) == 2
    assert "say where to write" in capsys.readouterr().err


def test_frechet_distance_is_zero_for_the_same_data_and_grows_with_a_shift():
    import torch

    from aigc_demo.evaluation.image import frechet_distance

    generator = torch.Generator().manual_seed(0)
    data = torch.randn(4000, 3, generator=generator)
    assert frechet_distance(data, data) == pytest.approx(0.0, abs=1e-6)
    shifted = data + torch.tensor([2.0, 0.0, 0.0])
    assert frechet_distance(data, shifted) == pytest.approx(4.0, rel=1e-3)
    # Two 1-D Gaussians N(0, 1) and N(0, 4): (1 - 2)^2 = 1.
    wide = torch.randn(200_000, 1, generator=generator)
    assert frechet_distance(wide, 2 * wide) == pytest.approx(1.0, rel=0.02)


def test_classifier_learns_the_bars_and_judges_samples(tmp_path):
    from aigc_demo.evaluation.image import evaluate_samples
    from aigc_demo.training.image import ImageClassifierTrainingConfig, train_image_classifier

    folder = write_bar_digits(tmp_path / "bars", train=400, test=100)
    train, test = load_mnist(folder), load_mnist(folder, "test")
    classifier, metrics = train_image_classifier(
        train, test, ImageClassifierTrainingConfig(epochs=3, batch_size=32, channels=8), log=lambda _: None
    )
    assert metrics["test_accuracy"] >= 0.9
    report = evaluate_samples(make_image_model(classes=10), classifier, test, samples=50)
    assert report.samples == 50
    assert report.frechet_distance > 0
    assert 0.0 <= report.recognition <= 1.0
    assert report.classifier_accuracy == pytest.approx(metrics["test_accuracy"], abs=1e-6)


def test_cli_evaluates_an_image_model(cli_hub, capsys):
    from aigc_demo.backend import hub as hub_module
    from aigc_demo.cli import main
    from aigc_demo.models.image_classifier import ImageClassifier

    folder = write_bar_digits(cli_hub / "bars", train=20, test=40)
    judge = ImageClassifier(channels=8)
    hub_module.default_hub().save("judge", judge, make_card(kind="image-classifier", config=judge.config))
    assert (
        main(
            [
                "eval",
                "image",
                "--checkpoint",
                "by-class",
                "--classifier",
                "judge",
                "--data",
                str(folder),
                "--samples",
                "30",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "test negative ELBO" in out
    assert "Fréchet distance to the test set: 30 samples" in out
    assert "recognised as the asked class" in out
    before = hub_module.default_hub().entry("by-class")
    weights = before.path.read_bytes()
    command = ["eval", "image", "--checkpoint", "by-class", "--classifier", "judge", "--data", str(folder)]
    assert main([*command, "--samples", "30", "--record"]) == 0
    card = hub_module.default_hub().entry("by-class").card
    assert list(card.metrics)[:3] == [
        "recognised_as_asked",
        "frechet_distance",
        "frechet_distance_real_images",
    ]
    assert card.extras["evaluation_commands"] == [
        f"python -m aigc_demo eval image --checkpoint by-class --data {folder.name} --classifier judge "
        "--samples 30 --seed 0"
    ]
    from safetensors.torch import load

    torch.testing.assert_close(load(before.path.read_bytes()), load(weights))  # the weights are the same


def test_traits_read_slant_width_and_ink_from_the_pixels():
    import torch

    from aigc_demo.training.image_directions import measure_traits

    def stroke(lean: int, thickness: int = 1, spread: int = 0) -> torch.Tensor:
        image = torch.zeros(1, 1, 28, 28)
        for y in range(4, 24):
            x = 14 + lean * (14 - y) // 4
            image[0, 0, y, x - spread - thickness + 1 : x + spread + thickness] = 1
        return image

    right, upright, left = (measure_traits(stroke(lean))["slant"].item() for lean in (1, 0, -1))
    assert right > 0.1
    assert abs(upright) < 1e-6
    assert left < -0.1
    assert measure_traits(stroke(0, thickness=3))["ink"] > measure_traits(stroke(0))["ink"]
    assert measure_traits(stroke(0, spread=4))["width"] > measure_traits(stroke(0))["width"]


def test_named_directions_move_the_picture(hub):
    model = make_image_model()
    named = [
        {"kind": "trait", "name": "slant", "fit": 0.7, "vector": [1.0, 0.0, 0.0, 0.0]},
        {"kind": "class", "name": "7", "fit": 0.5, "vector": [0.0, 0.0, 0.0, 2.0]},
    ]
    card = make_card(kind="image-vae", config=model.config, extras={"directions": {"named": named}})
    hub.save("named", model, card)
    loaded = hub.load("named")
    plain = decode(loaded, 1)
    assert np.array_equal(plain, decode(loaded, 1, named={"slant": 0.0, "ink": 0.0}))
    assert not np.array_equal(plain, decode(loaded, 1, named={"slant": 2.0}))
    assert not np.array_equal(plain, decode(loaded, 1, named={"7": 1.5}))
    from aigc_demo.pipelines.image import named_shift

    shift = named_shift(loaded, {"slant": 1.0, "7": -0.5})
    assert shift.tolist() == [1.0, 0.0, 0.0, -1.0]
    with pytest.raises(ValueError, match="between -3 and 3"):
        named_shift(loaded, {"slant": 9})


def test_interpolation_runs_from_seed_a_to_seed_b(image_hub):
    import torch

    from aigc_demo.pipelines.image import interpolate, slerp, steered_latent

    loaded = image_hub.load("plain")
    frames = interpolate(loaded, 3, 4, frames=5)
    assert frames.shape == (5, 1, 28, 28)
    model = loaded.module
    ends = model.decode(torch.stack([steered_latent(model, 3), steered_latent(model, 4)]))
    assert torch.allclose(frames[0], ends[0], atol=1e-5)
    assert torch.allclose(frames[-1], ends[1], atol=1e-5)
    a, b = torch.tensor([1.0, 0.0]), torch.tensor([0.0, 1.0])
    assert slerp(a, b, torch.tensor([0.5])).norm() == pytest.approx(1.0)  # lerp would give 0.71
    for bad in ({"frames": 1}, {"frames": 65}, {"mode": "cubic"}):
        with pytest.raises(ValueError, match=r"frames|mode"):
            interpolate(loaded, 3, 4, **bad)


def test_a_conditional_vae_morphs_one_digit_into_another_and_a_plain_one_says_it_cannot(image_hub):
    import torch

    from aigc_demo.pipelines.image import interpolate_classes

    morph = interpolate_classes(image_hub.load("by-class"), 4, 1, 7, 5)
    assert morph.shape == (5, 1, 28, 28)
    assert not torch.equal(morph[0], morph[-1])
    with pytest.raises(ValueError, match="interpolate between two seeds instead"):
        interpolate_classes(image_hub.load("plain"), 4, 1, 7, 5)


def test_gif_and_strip_are_made(image_hub):
    import io

    from aigc_demo.pipelines.image import gif_bytes, interpolate, strip

    frames = interpolate(image_hub.load("plain"), 1, 2, frames=4)
    with Image.open(io.BytesIO(gif_bytes(frames))) as gif:
        assert gif.format == "GIF"
        assert gif.n_frames == 6  # forward, then back without repeating the ends
    assert strip(frames).shape == (32 * 3, (4 * 30 + 2) * 3)


def test_manifold_grid_moves_along_two_directions(image_hub):
    from aigc_demo.pipelines.image import manifold

    loaded = image_hub.load("plain")
    grid_images = manifold(loaded, 0, "1", "2", steps=3, span=1.0)
    assert grid_images.shape == (9, 1, 28, 28)
    assert not np.allclose(grid_images[0].numpy(), grid_images[8].numpy())
    for bad in ({"across": "9"}, {"across": "slant"}, {"steps": 1}, {"span": 7}):
        kwargs = {"across": "1", "down": "2", "steps": 3, "span": 1.0, **bad}
        with pytest.raises(ValueError, match=r"direction|steps|between"):
            manifold(loaded, 0, **kwargs)


def test_interpolate_and_manifold_endpoints(client):
    gif, strip_png = client.predict("digits", "0", 1, 2, 6, "slerp", api_name="/interpolate")
    with Image.open(gif) as animation:
        assert animation.format == "GIF"
    with Image.open(strip_png) as picture:
        assert picture.format == "PNG"
    with Image.open(client.predict("digits", "0", 0, "1", "3", 4, api_name="/manifold")) as picture:
        assert picture.size == ((4 * 30 + 2) * 3, (4 * 30 + 2) * 3)
    with pytest.raises(AppError, match="no direction 'ink'"):
        client.predict("digits", "0", 0, "ink", "1", 4, api_name="/manifold")


def test_corner_pad_gives_each_corner_its_seed_and_blends_between(image_hub):
    from aigc_demo.pipelines.image import blend_corners

    loaded = image_hub.load("plain")
    seeds = [10, 11, 12, 13]
    for (x, y), seed in zip([(0, 0), (1, 0), (0, 1), (1, 1)], seeds, strict=True):
        assert np.array_equal(blend_corners(loaded, seeds, x, y), decode(loaded, seed))
    middle = blend_corners(loaded, seeds, 0.5, 0.5)
    assert all(not np.array_equal(middle, decode(loaded, seed)) for seed in seeds)
    for bad_x, bad_y, message in ((1.5, 0, "between"), (-0.1, 0, "between"), (0.5, "x", "must be a number")):
        with pytest.raises(ValueError, match=message):
            blend_corners(loaded, seeds, bad_x, bad_y)
    with pytest.raises(ValueError, match="four corner seeds"):
        blend_corners(loaded, seeds[:3], 0.5, 0.5)


def test_corner_pad_endpoint(client):
    with Image.open(client.predict("digits", "0", 0.25, 0.75, 1, 2, 3, 4, api_name="/corner_pad")) as picture:
        assert picture.size == (280, 280)
    with pytest.raises(AppError, match="greater than maximum"):
        client.predict("digits", "0", 1.5, 0.5, 1, 2, 3, 4, api_name="/corner_pad")


def _drawn_one(background: int = 255, ink: int = 0, size: int = 280) -> np.ndarray:
    from PIL import ImageDraw

    canvas = Image.new("L", (size, size), background)
    ImageDraw.Draw(canvas).line(
        [(size * 0.55, size * 0.15), (size * 0.45, size * 0.85)], fill=ink, width=size // 15
    )
    return np.asarray(canvas)


def test_drawings_are_prepared_the_way_mnist_was():
    from aigc_demo.data.images import prepare_drawing

    prepared = prepare_drawing(_drawn_one())
    assert prepared.shape == (1, 28, 28)
    assert float(prepared.max()) == pytest.approx(1.0)
    ink = prepared[0].numpy()
    rows = [row for row in range(28) if ink[row].max() > 0.1]
    assert rows[-1] - rows[0] + 1 == 20  # the longer side fills the 20-pixel box
    mass = ink.sum()
    centre_y = float((ink.sum(1) * np.arange(28)).sum() / mass)
    centre_x = float((ink.sum(0) * np.arange(28)).sum() / mass)
    assert abs(centre_y - 13.5) < 1.0
    assert abs(centre_x - 13.5) < 1.0
    # Light ink on dark (already MNIST-like), RGB and RGBA inputs give the same digit.
    assert np.allclose(prepare_drawing(_drawn_one(0, 255)), prepared, atol=0.05)
    rgb = np.repeat(_drawn_one()[..., None], 3, axis=2)
    assert np.allclose(prepare_drawing(rgb), prepared, atol=1e-5)
    rgba = np.concatenate([rgb, np.full((280, 280, 1), 255, dtype=np.uint8)], axis=2)
    assert np.allclose(prepare_drawing(rgba), prepared, atol=1e-5)


@pytest.mark.parametrize(
    ("pixels", "message"),
    [
        (np.full((50, 50), 255, dtype=np.uint8), "no drawing found"),
        (np.zeros((50, 50), dtype=np.uint8), "no drawing found"),
        (np.zeros((5000, 10), dtype=np.uint8), "too large"),
        (np.zeros((0, 10), dtype=np.uint8), "not an image"),
        (np.zeros(10, dtype=np.uint8), "not an image"),
    ],
)
def test_bad_drawings_are_refused_with_the_reason(pixels, message):
    from aigc_demo.data.images import prepare_drawing

    with pytest.raises(ValueError, match=message):
        prepare_drawing(pixels)


def test_encoded_drawing_becomes_the_starting_code(image_hub):
    from aigc_demo.data.images import prepare_drawing
    from aigc_demo.pipelines.image import encode

    loaded = image_hub.load("plain")
    code = encode(loaded, prepare_drawing(_drawn_one()))
    assert code.shape == (4,)
    start = decode(loaded, 0, start=code.tolist())
    assert np.array_equal(start, decode(loaded, 99, start=code.tolist()))  # the seed no longer matters
    assert not np.array_equal(start, decode(loaded, 0, [1.0, 0, 0], start=code.tolist()))
    for bad in ([1.0], [float("nan")] * 4, [1e6] * 4, ["a"] * 4):
        with pytest.raises(ValueError, match="latent code"):
            decode(loaded, 0, start=bad)


def test_encode_endpoint_takes_an_uploaded_picture(client, tmp_path):
    from gradio_client import handle_file

    path = tmp_path / "one.png"
    Image.fromarray(_drawn_one()).save(path)
    prepared, rebuilt, code, *sliders = client.predict(
        "digits", "0", None, handle_file(str(path)), api_name="/encode"
    )
    assert sliders == [0.0] * 12  # the sliders start from the drawing
    with Image.open(prepared) as picture:
        assert picture.size == (280, 280)
    with Image.open(rebuilt) as picture:
        assert picture.size == (280, 280)
    assert len(code) == 4
    with pytest.raises(AppError, match="draw a digit or upload"):
        client.predict("digits", "0", None, None, api_name="/encode")
    broken = tmp_path / "broken.png"
    broken.write_bytes(path.read_bytes()[:100])
    with pytest.raises(AppError):
        client.predict("digits", "0", None, handle_file(str(broken)), api_name="/encode")
    assert client.predict("digits", "0", 3, *CENTRE, *NAMED, api_name="/decode")  # still serving


def _as_data_url(pixels: np.ndarray) -> str:
    import base64
    import io

    png = io.BytesIO()
    Image.fromarray(pixels).convert("RGBA").save(png, format="PNG")  # as a canvas gives it
    return "data:image/png;base64," + base64.b64encode(png.getvalue()).decode()


def test_encode_endpoint_takes_a_drawing_from_the_pad(client):
    """The drawing pad's value, a PNG data URL, is encoded as an upload is; anything else is
    refused with a reason, and an oversized one before a byte of it is decoded."""
    drawn = _as_data_url(_drawn_one())
    prepared, _, code, *sliders = client.predict("digits", "0", drawn, None, api_name="/encode")
    assert len(code) == 4
    assert sliders == [0.0] * 12
    with Image.open(prepared) as picture:
        assert picture.size == (280, 280)
    refusals = {
        "data:image/svg+xml;base64,PHN2Zz4=": "not a PNG",
        "data:image/png;base64,@@@": "not a readable picture",
        "data:image/png;base64," + "A" * 1_100_000: "too large",
    }
    for sent, reason in refusals.items():
        with pytest.raises(AppError, match=reason):
            client.predict("digits", "0", sent, None, api_name="/encode")


def test_a_data_url_is_measured_before_it_is_decoded(monkeypatch):
    from aigc_demo.data import images

    decoded = []
    monkeypatch.setattr(images.base64, "b64decode", lambda *a, **k: decoded.append(a) or b"")
    with pytest.raises(images.ImageFileError, match="too large"):
        images.read_data_url(images.PNG_DATA_URL + "A" * (images.MAX_DATA_URL + 1), "the drawing")
    assert decoded == []


def test_a_data_url_holds_the_png_it_names(tmp_path):
    """A GIF or TIFF sent under a PNG data URL is refused before Pillow opens it as whatever it is."""
    import base64

    from aigc_demo.data import images

    for kind in ("GIF", "TIFF"):
        buffer = io.BytesIO()
        Image.new("L", (28, 28)).save(buffer, format=kind)
        url = images.PNG_DATA_URL + base64.b64encode(buffer.getvalue()).decode()
        with pytest.raises(images.ImageFileError, match="not a PNG picture"):
            images.read_data_url(url, "the drawing")
    buffer = io.BytesIO()
    Image.new("L", (28, 28)).save(buffer, format="PNG")
    assert images.read_data_url(
        images.PNG_DATA_URL + base64.b64encode(buffer.getvalue()).decode(), "x"
    ).shape[:2] == (28, 28)


def _stroke(shift_per_row: float) -> np.ndarray:
    """A 28 x 28 grey picture of one thick stroke whose top lies ``shift_per_row`` x its height to the
    right of its bottom, upscaled 10 x as the app shows pictures."""
    small = np.zeros((28, 28), dtype=np.uint8)
    for row in range(4, 24):
        column = round(14 + shift_per_row * (14 - row))
        small[row, column - 1 : column + 2] = 255
    return np.kron(small, np.ones((10, 10), dtype=np.uint8))


def test_a_picture_s_lean_and_the_judge_s_reading_are_told_in_words():
    from aigc_demo.models.image_classifier import ImageClassifier
    from aigc_demo.pipelines import describe

    assert describe.lean_of(describe.shrunk(_stroke(0.6))) == "right"
    assert describe.lean_of(describe.shrunk(_stroke(-0.6))) == "left"
    assert describe.lean_of(describe.shrunk(_stroke(0.0))) == "upright"
    assert describe.lean_of(np.zeros((28, 28), dtype=np.uint8)) == "upright"
    torch.manual_seed(0)
    reading = describe.read_digit(ImageClassifier(channels=4, features=8), _stroke(0.6))
    assert reading is not None
    assert 0 <= reading.digit <= 9
    assert 0.1 <= reading.confidence <= 1
    assert reading.lean == "right"
    for unreadable in (np.zeros((280, 280, 3), dtype=np.uint8), np.zeros((64, 64), dtype=np.uint8)):
        assert describe.read_digit(ImageClassifier(channels=4, features=8), unreadable) is None


def test_a_direction_from_few_codes_follows_the_trait_not_the_noise():
    """41 typefaces' codes in 32 numbers: least squares fits any trait exactly along directions the
    codes barely move in; the direction must be where the trait moves them."""
    from aigc_demo.training.image_directions import named_directions

    generator = torch.Generator().manual_seed(0)
    codes = torch.randn(41, 32, generator=generator) * torch.linspace(2, 0.01, 32)
    trait = codes[:, 0] + 0.5 * torch.randn(41, generator=generator)
    (found,) = named_directions(codes, {"weight": trait}, None)
    vector = torch.tensor(found["vector"])
    assert vector.norm() > 1  # one unit is one standard deviation of the codes along it: a real move
    assert vector[0].abs() / vector.norm() > 0.9
    assert found["fit"] > 0.8
