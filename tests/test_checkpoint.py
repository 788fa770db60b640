import json
import os
import pickle

import pytest
import torch
from safetensors.torch import save_file

from aigc_demo.backend import atomic
from aigc_demo.backend.checkpoint import (
    FORMAT_VERSION,
    METADATA_KEY,
    CheckpointError,
    DatasetInfo,
    ModelCard,
    load_checkpoint,
    read_card,
    save_checkpoint,
)
from tests.helpers import make_card, make_model


def test_round_trip_keeps_weights_and_card(tmp_path):
    model = make_model()
    card = make_card(description="a test model")
    path = tmp_path / "m.safetensors"
    size = save_checkpoint(path, model.state_dict(), card)
    assert size == path.stat().st_size
    tensors, loaded = load_checkpoint(path)
    assert loaded == card
    for name, value in model.state_dict().items():
        assert torch.equal(tensors[name], value)


def test_card_records_what_the_format_promises(tmp_path):
    path = tmp_path / "m.safetensors"
    save_checkpoint(path, make_model().state_dict(), make_card())
    card = read_card(path)
    assert card.format_version == FORMAT_VERSION
    assert card.dataset == DatasetInfo(name="synthetic", license="CC0")
    assert card.training_command.startswith("python -m aigc_demo")
    assert card.seed == 0
    assert card.created
    assert {"aigc_demo", "torch", "safetensors", "python"} <= set(card.versions)
    assert card.headline_metric == ("loss", 0.5)


def test_half_precision_storage_halves_the_file_and_still_loads(tmp_path):
    model = make_model(width=256)
    full, half = tmp_path / "full.safetensors", tmp_path / "half.safetensors"
    save_checkpoint(full, model.state_dict(), make_card())
    save_checkpoint(half, model.state_dict(), make_card(), storage_dtype=torch.float16)
    assert half.stat().st_size < 0.6 * full.stat().st_size
    tensors, _ = load_checkpoint(half)
    assert all(t.dtype == torch.float16 for t in tensors.values())
    restored = make_model(seed=1, width=256)
    restored.load_state_dict(tensors)
    x = torch.randn(5, 4)
    assert torch.allclose(restored(x), model(x), atol=1e-2)


def test_save_replaces_atomically_and_leaves_no_temp_file(tmp_path):
    path = tmp_path / "m.safetensors"
    save_checkpoint(path, make_model(0).state_dict(), make_card(metrics={"loss": 1.0}))
    save_checkpoint(path, make_model(1).state_dict(), make_card(metrics={"loss": 0.1}))
    assert read_card(path).metrics == {"loss": 0.1}
    assert [p.name for p in tmp_path.iterdir()] == ["m.safetensors"]


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_saved_files_are_readable_by_others_like_any_file(tmp_path):
    path = tmp_path / "m.safetensors"
    save_checkpoint(path, make_model().state_dict(), make_card())
    assert path.stat().st_mode & 0o777 == 0o644
    path.chmod(0o640)
    save_checkpoint(path, make_model().state_dict(), make_card())
    assert path.stat().st_mode & 0o777 == 0o640


def test_a_failed_write_keeps_the_previous_checkpoint(tmp_path, monkeypatch):
    path = tmp_path / "m.safetensors"
    save_checkpoint(path, make_model(0).state_dict(), make_card(metrics={"loss": 1.0}))
    before = path.read_bytes()

    def disk_full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic.os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space left"):
        save_checkpoint(path, make_model(1).state_dict(), make_card(metrics={"loss": 0.1}))
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["m.safetensors"]


def test_truncated_file_is_refused(tmp_path):
    path = tmp_path / "m.safetensors"
    save_checkpoint(path, make_model().state_dict(), make_card())
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(CheckpointError, match="not a readable safetensors file"):
        read_card(path)


@pytest.mark.parametrize("content", [b"", b"garbage" * 10, b"\x08\x00\x00\x00\x00\x00\x00\x00{bad json"])
def test_corrupt_file_is_refused(tmp_path, content):
    path = tmp_path / "m.safetensors"
    path.write_bytes(content)
    with pytest.raises(CheckpointError):
        read_card(path)


def test_foreign_safetensors_without_a_card_is_refused(tmp_path):
    path = tmp_path / "foreign.safetensors"
    save_file({"w": torch.zeros(2)}, str(path), metadata={"format": "pt"})
    with pytest.raises(CheckpointError, match="without an AIGC Studio model card"):
        read_card(path)


def test_pickle_file_named_safetensors_is_refused_without_running_it(tmp_path):
    marker = tmp_path / "pwned"

    class Exploit:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    path = tmp_path / "evil.safetensors"
    path.write_bytes(pickle.dumps(Exploit()))
    with pytest.raises(CheckpointError):
        load_checkpoint(path)
    assert not marker.exists()


def _write_card(tmp_path, card_json: str):
    path = tmp_path / "m.safetensors"
    save_file({"w": torch.zeros(2)}, str(path), metadata={METADATA_KEY: card_json})
    return path


def test_newer_format_version_says_to_update(tmp_path):
    raw = json.loads(make_card().to_json())
    raw["format_version"] = FORMAT_VERSION + 1
    with pytest.raises(CheckpointError, match="newer than this version"):
        read_card(_write_card(tmp_path, json.dumps(raw)))


@pytest.mark.parametrize(
    ("mutation", "message"),
    [
        (lambda raw: raw.pop("kind"), "names no model kind"),
        (lambda raw: raw.update(config=[1, 2]), "no architecture config"),
        (lambda raw: raw.update(dataset="MNIST"), "names no dataset"),
        (lambda raw: raw.pop("format_version"), "no valid format_version"),
        (lambda raw: raw.update(metrics="x"), "metrics must be"),
        (lambda raw: raw.update(metrics={"loss": "low"}), "metrics must be"),
        (lambda raw: raw.update(metrics={f"m{i}": 1 for i in range(65)}), "metrics must be"),
        (lambda raw: raw.update(description=["a", "list"]), "description must be text"),
        (lambda raw: raw.update(description="x" * 2001), "description must be text"),
        (lambda raw: raw.update(seed=True), "seed must be"),
        (lambda raw: raw.update(extras=[1]), "extras must be an object"),
        (lambda raw: raw.update(versions={"torch": 2}), "versions must be texts"),
    ],
)
def test_malformed_cards_are_refused_with_the_reason(tmp_path, mutation, message):
    raw = json.loads(make_card().to_json())
    mutation(raw)
    with pytest.raises(CheckpointError, match=message):
        read_card(_write_card(tmp_path, json.dumps(raw)))


def test_unknown_card_fields_from_a_later_minor_version_are_ignored(tmp_path):
    raw = json.loads(make_card().to_json())
    raw["future_field"] = {"anything": 1}
    assert read_card(_write_card(tmp_path, json.dumps(raw))) == make_card(created=raw["created"])


def test_card_json_keeps_unicode_readable():
    card = make_card(dataset=DatasetInfo(name="全唐詩", license="public domain"))
    assert "全唐詩" in card.to_json()
    assert ModelCard.from_json(card.to_json()) == card


def test_a_bad_card_is_skipped_with_its_reason_and_the_about_page_still_reads(tmp_path):
    """One visitor's malformed card never breaks the pages every visitor reads (also after a restart)."""
    from aigc_demo.backend.hub import ModelHub
    from aigc_demo.ui.about import model_list, models_html

    hub = ModelHub(tmp_path / "shipped", tmp_path / "user")
    hub.save("good", make_model(), make_card())
    raw = json.loads(make_card().to_json())
    raw.update(metrics="x", description=["not", "text"])
    bad = hub.user_dir / "bad.safetensors"
    save_file({"w": torch.zeros(2)}, str(bad), metadata={METADATA_KEY: json.dumps(raw)})
    for fresh in (hub, ModelHub(tmp_path / "shipped", tmp_path / "user")):  # and after a restart
        assert [e.name for e in fresh.entries()] == ["good"]
        assert any("description must be text" in skipped.reason for skipped in fresh.skipped())
        assert "good" in models_html(fresh, "en")
        assert [row["name"] for row in model_list(fresh)] == ["good"]


def test_a_header_larger_than_any_checkpoint_s_is_refused_before_it_is_parsed(tmp_path, monkeypatch):
    from aigc_demo.backend import checkpoint

    path = tmp_path / "many.safetensors"
    save_file(
        {f"t{i}": torch.zeros(1) for i in range(20_000)},
        str(path),
        metadata={METADATA_KEY: make_card().to_json()},
    )
    opened = []
    monkeypatch.setattr(checkpoint, "safe_open", lambda *a, **k: opened.append(a) or 1 / 0)
    for read in (read_card, checkpoint.tensor_shapes):
        with pytest.raises(CheckpointError, match="a checkpoint's takes at most 1,000,000"):
            read(path)
    assert opened == []  # never parsed
