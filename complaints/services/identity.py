"""Key rotation for reporters' identity (issue 9): re-encrypting identity fields and re-keying their hashes."""

from django.apps import apps
from django.db import models, transaction
from django.db.models.functions import Cast

from complaints.fields import EncryptedTextField, KeyedHashField, identity_token_is_current
from complaints.models import Report


def models_with_identity() -> list:
    """Every model with an encrypted field (reports today; any other model that keeps identity tomorrow)."""
    return [
        model
        for model in apps.get_models()
        if any(isinstance(f, EncryptedTextField) for f in model._meta.concrete_fields)
    ]


def identity_reencrypt(*, batch_size: int = 500) -> dict[str, dict[str, int]]:
    """Move every row of every model with identity fields to the newest keys: tokens not made with the newest
    identity key are encrypted again, hashes not made with the newest hash key are computed again. Batches of
    `batch_size` rows, each locked and committed on its own, in primary-key order: an interrupted run leaves
    every row readable (old keys still decrypt) and a second run skips the rows already done."""
    return {model._meta.label: _reencrypt_model(model, batch_size) for model in models_with_identity()}


def _reencrypt_model(model, batch_size: int) -> dict[str, int]:
    encrypted = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
    hashed = [f for f in model._meta.concrete_fields if isinstance(f, KeyedHashField)]
    # The raw stored tokens, read past the field's decryption by a cast to plain text.
    raw = {f"_raw_{f.attname}": Cast(f.attname, output_field=models.TextField()) for f in encrypted}
    counts = {"updated": 0, "current": 0}
    last = None
    while True:
        with transaction.atomic():
            rows = model._default_manager.select_for_update().order_by("pk").annotate(**raw)
            if last is not None:
                rows = rows.filter(pk__gt=last)
            batch = list(rows[:batch_size])
            stale = []
            for obj in batch:
                stale_token = any(not identity_token_is_current(getattr(obj, name)) for name in raw)
                stale_hash = any(
                    getattr(obj, f.attname) != f.value_for(getattr(obj, f.source)) for f in hashed
                )
                if stale_token or stale_hash:
                    stale.append(obj)
            _rekey(model, stale, encrypted, hashed)
            counts["updated"] += len(stale)
            counts["current"] += len(batch) - len(stale)
        if len(batch) < batch_size:
            return counts
        last = batch[-1].pk


def _rekey(model, objs: list, encrypted: list, hashed: list) -> None:
    """Write the rows again: saving encrypts the plain values under the newest key and recomputes the hashes
    under the newest hash key (KeyedHashField.pre_save). One UPDATE per row: a bulk_update of the batch was
    slower still (its CASE per column grows with the batch; bench/identity.py)."""
    fields = [f.name for f in (*encrypted, *hashed)]
    for obj in objs:
        obj.save(update_fields=fields)


def pin_key_usage() -> dict[str, int]:
    """How many reports' PINs each PIN key made ("" = SECRET_KEY, before the PIN keys existed). A PIN cannot be
    re-hashed without the PIN, so an old key stays in POSKO_PIN_KEYS while reports still use it; each report
    moves to the newest key the next time its PIN is used."""
    return dict(
        Report.objects.order_by()
        .values_list("pin_key")
        .annotate(n=models.Count("id"))
        .values_list("pin_key", "n")
    )
