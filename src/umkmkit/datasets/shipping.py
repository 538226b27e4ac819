"""Shipping from Manokwari: illustrative rates, volumetric divisors, charged weight."""

from __future__ import annotations

from umkmkit.datasets import world

Row = dict[str, object]


def available(service: world.Service, destination: world.Destination) -> bool:
    if service.needs == "port":
        return destination.port
    if service.needs == "big_city":
        return destination.big_city
    return True


def rate_per_kg(service: world.Service, destination: world.Destination) -> int:
    """Example rate, rounded to Rp1.000 (integer arithmetic, so every machine agrees)."""
    raw = destination.base_per_kg * round(service.rate_factor * 100)
    return max(1, (raw + 50_000) // 100_000) * 1_000


def delivery_days(service: world.Service, destination: world.Destination) -> tuple[int, int]:
    low, high = destination.days
    return max(1, low + service.extra_days[0]), max(1, high + service.extra_days[1])


def charged_weight_kg(weight_g: int, volume_cm3: int, divisor: int, minimum_kg: int = 1) -> int:
    """The larger of actual and volumetric weight, rounded the JNE way.

    Minimum 1 kg (or the service's minimum); above that a fraction up to 0.3 kg is dropped and
    a larger fraction counts as a whole kg. Computed in exact integers.
    """
    # Both weights in units of 1/divisor gram, so the volumetric weight stays exact.
    heavier = max(weight_g * divisor, volume_cm3 * 1000)
    whole_kg, rest = divmod(heavier, 1000 * divisor)
    kg = whole_kg + (1 if rest > 300 * divisor else 0)
    return max(kg, minimum_kg, 1)


def rate_rows() -> list[Row]:
    rows = []
    for destination in world.DESTINATIONS:
        for service in world.SERVICES:
            if not available(service, destination):
                continue
            low, high = delivery_days(service, destination)
            rows.append({
                "asal": world.HOME_TOWN,
                "kota_tujuan": destination.kota,
                "provinsi": destination.provinsi,
                "kurir": service.kurir,
                "layanan": service.layanan,
                "tarif_per_kg": rate_per_kg(service, destination),
                "berat_min_kg": service.berat_min_kg,
                "estimasi_min_hari": low,
                "estimasi_maks_hari": high,
            })
    return rows


def divisor_rows() -> list[Row]:
    return [
        {
            "kurir": s.kurir,
            "layanan": s.layanan,
            "moda": s.moda,
            "pembagi": s.pembagi,
            "sumber": s.sumber,
            "catatan": s.catatan,
        }
        for s in world.SERVICES
    ]
