import logging
import os
import threading

import pytest
import torch

from aigc_demo.backend.checkpoint import CheckpointError, save_checkpoint
from aigc_demo.backend.hub import ModelHub, UnknownModelError, check_model_name
from tests.helpers import TEST_KIND, TinyMLP, make_card, make_model


def ship(hub: ModelHub, name: str, seed: int = 0, **card_overrides) -> TinyMLP:
    """Put a checkpoint into the hub's shipped folder, as a release would."""
    model = make_model(seed)
    save_checkpoint(hub.shipped_dir / f"{name}.safetensors", model.state_dict(), make_card(**card_overrides))
    return model


def test_empty_or_missing_folders_list_nothing(hub):
    assert hub.entries() == []
    assert hub.skipped() == []


def test_discovers_shipped_and_user_checkpoints_by_kind(hub):
    ship(hub, "alpha")
    hub.save("beta", make_model(1), make_card())
    entries = hub.entries()
    assert [(e.name, e.shipped) for e in entries] == [("alpha", True), ("beta", False)]
    assert [e.name for e in hub.entries(kind=TEST_KIND)] == ["alpha", "beta"]
    assert hub.entries(kind="vae") == []
    assert entries[0].size_bytes == (hub.shipped_dir / "alpha.safetensors").stat().st_size


def test_listing_does_not_load_weights(hub):
    ship(hub, "alpha")
    hub.entries()
    assert hub.loaded_models() == []


def test_load_builds_the_model_on_the_device_in_eval_mode(hub):
    original = ship(hub, "alpha")
    loaded = hub.load("alpha")
    assert loaded.device == torch.device("cpu")
    assert not loaded.module.training
    assert not any(p.requires_grad for p in loaded.module.parameters())
    x = torch.randn(3, 4)
    assert torch.allclose(loaded.module(x), original(x))
    assert [m.entry.name for m in hub.loaded_models()] == ["alpha"]


def test_load_is_cached(hub):
    ship(hub, "alpha")
    assert hub.load("alpha").module is hub.load("alpha").module


def test_concurrent_loads_build_the_model_once(hub, monkeypatch):
    ship(hub, "alpha")
    builds = []
    real_build = hub._build

    def counting_build(entry):
        builds.append(entry.name)
        return real_build(entry)

    monkeypatch.setattr(hub, "_build", counting_build)
    start = threading.Barrier(8)
    results = []

    def worker():
        start.wait()
        results.append(hub.load("alpha").module)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert builds == ["alpha"]
    assert len(results) == 8
    assert all(m is results[0] for m in results)


def test_new_checkpoint_is_noticed_without_a_new_hub(hub):
    assert hub.entries() == []
    ship(hub, "alpha")
    assert [e.name for e in hub.entries()] == ["alpha"]


def test_replaced_checkpoint_is_reloaded(hub):
    hub.save("mine", make_model(0), make_card())
    first = hub.load("mine").module
    hub.save("mine", make_model(1), make_card(metrics={"loss": 0.01}))
    second = hub.load("mine")
    assert second.module is not first
    assert second.entry.card.metrics == {"loss": 0.01}
    x = torch.randn(2, 4)
    assert torch.allclose(second.module(x), make_model(1)(x))


def test_checkpoint_replaced_by_another_process_is_reloaded(hub):
    ship(hub, "alpha", seed=0)
    first = hub.load("alpha").module
    path = hub.shipped_dir / "alpha.safetensors"
    ship(hub, "alpha", seed=1)
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))  # same size: force a new tick
    assert hub.load("alpha").module is not first


def test_deleted_checkpoint_disappears(hub):
    ship(hub, "alpha")
    hub.load("alpha")
    (hub.shipped_dir / "alpha.safetensors").unlink()
    assert hub.entries() == []
    assert hub.loaded_models() == []
    with pytest.raises(UnknownModelError, match="no model named 'alpha'"):
        hub.load("alpha")


def test_unknown_name_lists_what_exists(hub):
    ship(hub, "alpha")
    with pytest.raises(UnknownModelError, match=r"no model named 'gamma' \(available: alpha\)"):
        hub.load("gamma")


def test_bad_files_are_skipped_with_one_warning_each(hub, caplog):
    ship(hub, "good")
    shipped = hub.shipped_dir
    (shipped / "corrupt.safetensors").write_bytes(b"\x00" * 100)
    data = (shipped / "good.safetensors").read_bytes()
    (shipped / "truncated.safetensors").write_bytes(data[:-10])
    (shipped / "weights.pt").write_bytes(b"\x80\x04pickle")
    (shipped / "README.md").write_text("not a checkpoint")
    (shipped / ".good.safetensors.abc.tmp").write_bytes(data[:10])
    save_checkpoint(shipped / "alien.safetensors", make_model().state_dict(), make_card(kind="no-such-kind"))
    with caplog.at_level(logging.WARNING, logger="aigc_demo.backend.hub"):
        assert [e.name for e in hub.entries()] == ["good"]
        hub.entries()  # a second listing must not warn again
    reasons = {s.path.name: s.reason for s in hub.skipped()}
    assert set(reasons) == {"corrupt.safetensors", "truncated.safetensors", "weights.pt", "alien.safetensors"}
    assert "pickle" in reasons["weights.pt"]
    assert "no-such-kind" in reasons["alien.safetensors"]
    assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 4


def test_user_model_cannot_shadow_a_shipped_one(hub):
    ship(hub, "alpha")
    save_checkpoint(hub.user_dir / "alpha.safetensors", make_model(5).state_dict(), make_card())
    entries = hub.entries()
    assert [(e.name, e.shipped) for e in entries] == [("alpha", True)]
    assert "already named 'alpha'" in hub.skipped()[0].reason
    with pytest.raises(ValueError, match="name of a shipped model"):
        hub.save("alpha", make_model(), make_card())


def test_weights_that_do_not_fit_the_card_give_a_clear_error(hub):
    model = make_model()
    save_checkpoint(hub.user_dir / "wrong.safetensors", model.state_dict(), make_card(config={"width": 16}))
    with pytest.raises(CheckpointError, match="does not match its model kind"):
        hub.load("wrong")


@pytest.mark.parametrize("name", ["../evil", "a/b", "", "Upper", "x" * 65, ".hidden", "sp ace"])
def test_unsafe_names_are_refused(hub, name):
    with pytest.raises(ValueError, match="model name"):
        hub.save(name, make_model(), make_card())
    assert not hub.user_dir.exists() or list(hub.user_dir.iterdir()) == []


@pytest.mark.parametrize("name", ["mnist-vae", "a", "my_model.v2", "0" * 64])
def test_plain_names_are_accepted(name):
    assert check_model_name(name) == name


def test_asking_for_unknown_names_keeps_nothing_and_echoes_little(hub):
    """A visitor who asks for many long made-up names leaves no memory behind and is not echoed
    the whole name (measured with tracemalloc: what stays allocated after 50 names of 1 MB)."""
    import tracemalloc

    hub.save("alpha", make_model(), make_card())
    hub.load("alpha")
    tracemalloc.start()
    for i in range(50):
        with pytest.raises(UnknownModelError) as refused:
            hub.load(f"{i}" + "x" * 1_000_000)
        assert len(str(refused.value)) < 200
    del refused  # its traceback holds the last name
    kept = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    assert kept < 1_000_000  # 50 MB of names asked for, well under 1 MB kept
