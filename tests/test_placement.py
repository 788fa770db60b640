"""Where training computes: the device, mixed precision with loss scaling, and batch delivery.

A CUDA GPU is not needed here: the CPU has autocast too (bf16 and fp16 for convolutions and
linear layers), and the gradient scaler runs on it, so the mixed-precision path of the image
and speech loops is exercised as it is; only the pinned, asynchronous copy needs a GPU.
"""

from __future__ import annotations

import pytest
import torch

from aigc_demo.data.mnist import ImageSet
from aigc_demo.evaluation.image import evaluate_vae
from aigc_demo.training.image import ImageVAETrainingConfig, train_image_vae
from aigc_demo.training.placement import Placement
from aigc_demo.training.text import TextTrainingConfig, train_char_rnn

CPU = torch.device("cpu")


def bars(count: int, seed: int = 0) -> ImageSet:
    """Vertical or horizontal bars at random places: two classes a small VAE learns in a few steps."""
    generator = torch.Generator().manual_seed(seed)
    images = torch.zeros(count, 1, 16, 16)
    labels = torch.randint(2, (count,), generator=generator)
    places = torch.randint(2, 14, (count,), generator=generator)
    for i, (label, place) in enumerate(zip(labels, places, strict=True)):
        if label:
            images[i, 0, :, place - 1 : place + 1] = 1
        else:
            images[i, 0, place - 1 : place + 1, :] = 1
    return ImageSet(images, labels)


def test_the_cpu_trains_in_fp32_unless_asked_and_nonsense_is_refused():
    assert Placement.choose("cpu") == Placement(CPU, "fp32")
    assert Placement.choose("cpu", "bf16").precision == "bf16"
    with pytest.raises(ValueError, match="precision must be one of auto, fp32, bf16, fp16"):
        Placement.choose("cpu", "int8")


def test_batches_on_the_cpu_are_the_rows_the_indices_pick():
    data, labels = torch.arange(20.0).view(10, 2), torch.arange(10)
    indices = [torch.tensor([3, 1]), torch.tensor([9])]
    batches = list(Placement(CPU).batches((data, labels), indices))
    assert [b[1].tolist() for b in batches] == [[3, 1], [9]]
    assert torch.equal(batches[0][0], data[[3, 1]])


@pytest.mark.parametrize("precision", ["bf16", "fp16"])
def test_the_vae_learns_under_mixed_precision_and_comes_back_in_fp32(precision):
    train, test = bars(256), bars(64, seed=1)
    config = ImageVAETrainingConfig(
        epochs=8, batch_size=32, learning_rate=3e-3, latent_dim=2, channels=8, hidden=32, num_directions=2
    )

    def trained(placement: Placement) -> tuple[torch.nn.Module, float]:
        model, metrics, _ = train_image_vae(train, test, config, log=lambda line: None, placement=placement)
        return model, metrics["test_nelbo_nats"]

    full = trained(Placement(CPU, "fp32"))[1]
    model, mixed = trained(Placement(CPU, precision))
    assert all(p.dtype == torch.float32 and p.device == CPU for p in model.parameters())
    untrained = evaluate_vae(type(model)(**model.config), test)["test_nelbo_nats"]
    assert mixed < 0.8 * untrained  # it learned
    assert mixed < 1.1 * full  # about as well as in full precision


def test_fp16_loss_scaling_skips_a_step_whose_gradients_overflowed():
    weight = torch.nn.Parameter(torch.ones(3))
    optimizer = torch.optim.SGD([weight], lr=0.1)
    step = Placement(CPU, "fp16").optimiser_step()
    step((weight * float("inf")).sum(), optimizer)
    assert torch.equal(weight.detach(), torch.ones(3))  # skipped, not poisoned with inf
    assert step.scaler.get_scale() < 2.0**16  # and the scale backed off
    step((weight * 2).sum(), optimizer)
    assert torch.allclose(weight.detach(), torch.full((3,), 0.8))  # the true gradient, unscaled


def test_clipping_under_fp16_acts_on_the_true_gradients():
    weight = torch.nn.Parameter(torch.zeros(4))
    optimizer = torch.optim.SGD([weight], lr=1.0)
    step = Placement(CPU, "fp16").optimiser_step()
    step((weight * 10).sum(), optimizer, clip=1.0, parameters=[weight])
    # The gradient (10, 10, 10, 10) clipped to norm 1; clipping the scaled gradient instead
    # would have moved the weights 65,536 times less.
    assert weight.detach().norm().item() == pytest.approx(1.0, rel=1e-3)


def test_the_text_model_refuses_mixed_precision_on_the_cpu_before_training():
    text = "the cat sat on the mat. " * 40
    with pytest.raises(ValueError, match="trains in fp32 on the CPU"):
        train_char_rnn(text, text, TextTrainingConfig(epochs=1), log=lambda line: None,
                       placement=Placement(CPU, "bf16"))  # fmt: skip
