import math

import pytest
import torch

from aigc_demo.backend.seeding import MAX_SEED, check_seed, random_seed, seeded_randn


def test_same_seed_gives_the_same_latent():
    assert torch.equal(seeded_randn((3, 16), 1234), seeded_randn((3, 16), 1234))


def test_different_seeds_give_different_latents():
    assert not torch.equal(seeded_randn((16,), 1), seeded_randn((16,), 2))


def test_latent_is_independent_of_global_rng_state():
    torch.manual_seed(0)
    first = seeded_randn((8,), 7)
    torch.randn(1000)
    assert torch.equal(first, seeded_randn((8,), 7))


def test_device_and_dtype_do_not_change_the_numbers():
    device = "cuda" if torch.cuda.is_available() else "cpu"
    moved = seeded_randn((32,), 99, device=device, dtype=torch.float64)
    assert moved.device.type == device
    assert moved.dtype == torch.float64
    assert torch.allclose(moved.cpu().float(), seeded_randn((32,), 99))


def test_known_value_pins_the_stream():
    # Guards against a change of generator that would silently re-map every saved seed.
    assert seeded_randn((3,), 0).tolist() == pytest.approx(
        [1.5409960746765137, -0.293428897857666, -2.1787893772125244]
    )


@pytest.mark.parametrize("good", [0, 1, MAX_SEED, "42", 42.0])
def test_valid_seeds_are_accepted(good):
    assert check_seed(good) == int(float(good))


@pytest.mark.parametrize("bad", [-1, MAX_SEED + 1, 1.5, "abc", None, True, math.nan, math.inf, "1e30"])
def test_invalid_seeds_are_refused_with_a_reason(bad):
    with pytest.raises(ValueError, match="seed must be"):
        check_seed(bad)


def test_random_seed_is_in_range():
    assert all(0 <= random_seed() <= MAX_SEED for _ in range(100))
