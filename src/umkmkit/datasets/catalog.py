"""The product catalog of the featured businesses."""

from __future__ import annotations

from umkmkit.datasets import world
from umkmkit.datasets.registry import Registry

Row = dict[str, object]


def product_id(product: world.Product) -> str:
    return f"PRD-{world.PRODUCTS.index(product) + 1:03d}"


def catalog_rows(registry: Registry) -> list[Row]:
    return [
        {
            "id_produk": product_id(p),
            "id_umkm": registry.featured[p.seller],
            "nama_produk": p.nama,
            "sektor": world.FEATURED[p.seller].sektor,
            "kategori": p.kategori,
            "satuan": p.satuan,
            "hpp": p.hpp,
            "harga_jual": p.harga_jual,
            "berat_gram": p.berat_gram,
            "panjang_cm": p.panjang_cm,
            "lebar_cm": p.lebar_cm,
            "tinggi_cm": p.tinggi_cm,
        }
        for p in world.PRODUCTS
    ]
