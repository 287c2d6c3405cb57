"""The simulated store's fixed layout: websites, stores, attributes and their options, categories, MSI."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Website:
    id: int
    code: str
    name: str
    default_group_id: int


@dataclass(frozen=True)
class StoreGroup:
    id: int
    code: str
    name: str
    website_id: int
    root_category_id: int
    default_store_id: int


@dataclass(frozen=True)
class StoreView:
    id: int
    code: str
    name: str
    website_id: int
    group_id: int
    is_active: int
    locale: str
    base_currency: str
    display_currency: str
    timezone: str
    weight_unit: str
    language: str  # which of the catalog's translations this view shows ("" = default values)


WEBSITES = (Website(0, "admin", "Admin", 0), Website(1, "base", "Main Website", 1), Website(2, "eu", "EU Website", 2))
GROUPS = (StoreGroup(0, "default", "Default", 0, 0, 0),
          StoreGroup(1, "main_website_store", "Main Website Store", 1, 2, 1),
          StoreGroup(2, "eu_store", "EU Store", 2, 2, 3))
STORES = (
    StoreView(0, "admin", "Admin", 0, 0, 1, "en_US", "USD", "USD", "UTC", "lbs", ""),
    StoreView(1, "default", "Default Store View", 1, 1, 1, "en_US", "USD", "USD", "America/Chicago", "lbs", ""),
    StoreView(2, "french", "French Store View", 1, 1, 1, "fr_FR", "USD", "EUR", "Europe/Paris", "lbs", "fr"),
    StoreView(3, "german", "German Store View", 2, 2, 1, "de_DE", "EUR", "EUR", "Europe/Berlin", "kgs", "de"),
    StoreView(4, "dutch", "Dutch Store View", 2, 2, 0, "nl_NL", "EUR", "EUR", "Europe/Amsterdam", "kgs", ""),
)
STORE_BY_CODE = {s.code: s for s in STORES}
STORE_BY_ID = {s.id: s for s in STORES}
ADMIN_STORE = STORE_BY_CODE["admin"]
ALL_STORES_CODE = "all"  # /rest/all/V1/...: the global (admin) scope
BASE_URL = "http://magento.test/"

WEBSITE_BITS = {1: 1, 2: 2}  # website id → bit in a product's website mask


@dataclass(frozen=True)
class Source:
    code: str
    name: str
    country: str
    stock_id: int
    website_id: int  # the website whose products the generated catalog stocks here


@dataclass(frozen=True)
class Stock:
    id: int
    name: str
    website_codes: tuple[str, ...]


SOURCES = (Source("default", "Default Source", "US", 1, 1), Source("eu_warehouse", "EU Warehouse", "DE", 2, 2))
STOCKS = (Stock(1, "Default Stock", ("base",)), Stock(2, "EU Stock", ("eu",)))
STOCK_OF_WEBSITE = {code: stock.id for stock in STOCKS for code in stock.website_codes}
STOCK_OF_WEBSITE_ID = {1: 1, 2: 2}

ATTRIBUTE_SETS = ((4, "Default"), (9, "Top"), (10, "Bottom"), (11, "Gear"), (12, "Downloadable"))
PRODUCT_ENTITY_TYPE_ID = 4


@dataclass(frozen=True)
class Option:
    id: int
    label: str
    fr: str = ""
    de: str = ""


@dataclass(frozen=True)
class Attribute:
    id: int
    code: str
    label: str
    input: str  # frontend_input
    backend: str  # backend_type
    scope: str = "store"
    user_defined: bool = False
    required: bool = False
    options: tuple[Option, ...] = field(default=())
    fr: str = ""
    de: str = ""


def _options(first_id: int, labels: str) -> tuple[Option, ...]:
    """Options from 'en/fr/de, en/fr/de, ...' with consecutive ids."""
    result = []
    for offset, triple in enumerate(labels.split(",")):
        en, fr, de = (part.strip() for part in ([*triple.split("/"), "", ""])[:3])
        result.append(Option(first_id + offset, en, fr, de))
    return tuple(result)


COLOR = Attribute(93, "color", "Color", "select", "int", "global", True, options=_options(
    49, "Black/Noir/Schwarz, Blue/Bleu/Blau, Brown/Marron/Braun, Gray/Gris/Grau, Green/Vert/Grün, "
        "Lavender/Lavande/Lavendel, Multi/Multicolore/Mehrfarbig, Orange/Orange/Orange, Purple/Violet/Lila, "
        "Red/Rouge/Rot, White/Blanc/Weiß, Yellow/Jaune/Gelb"), fr="Couleur", de="Farbe")
SIZE = Attribute(144, "size", "Size", "select", "int", "global", True, options=_options(
    166, "XS, S, M, L, XL, 28, 29, 30, 31, 32, 33, 34, 36"), fr="Taille", de="Größe")
MATERIAL = Attribute(136, "material", "Material", "multiselect", "varchar", "global", True, options=_options(
    31, "Burlap/Toile de jute/Jute, Canvas/Toile/Segeltuch, Cotton/Coton/Baumwolle, Leather/Cuir/Leder, "
        "Mesh/Maille/Netzstoff, Nylon/Nylon/Nylon, Polyester/Polyester/Polyester, Spandex/Élasthanne/Elasthan, "
        "Wool/Laine/Wolle, Rubber/Caoutchouc/Gummi, Stainless Steel/Acier inoxydable/Edelstahl, "
        "Plastic/Plastique/Kunststoff"),
    fr="Matière", de="Material")
ACTIVITY = Attribute(141, "activity", "Activity", "multiselect", "varchar", "global", True, options=_options(
    8, "Yoga/Yoga/Yoga, Climbing/Escalade/Klettern, Running/Course/Laufen, Hiking/Randonnée/Wandern, "
       "Gym/Salle de sport/Fitnessstudio, Cycling/Cyclisme/Radfahren, Travel/Voyage/Reisen"),
    fr="Activité", de="Aktivität")
MANUFACTURER = Attribute(83, "manufacturer", "Manufacturer", "select", "int", "global", False, options=_options(
    216, "Acme, Contoso, Globex, Initech, Umbrella"))
SELECT_ATTRIBUTES = (COLOR, SIZE, MATERIAL, ACTIVITY, MANUFACTURER)
OPTION_ATTRIBUTES = {a.code: a for a in SELECT_ATTRIBUTES}
TOP_SIZES = tuple(o.id for o in SIZE.options[:5])
BOTTOM_SIZES = tuple(o.id for o in SIZE.options[5:])

OTHER_ATTRIBUTES = (
    Attribute(73, "name", "Product Name", "text", "varchar", required=True, fr="Nom", de="Name"),
    Attribute(74, "sku", "SKU", "text", "static", "global", required=True),
    Attribute(75, "description", "Description", "textarea", "text"),
    Attribute(76, "short_description", "Short Description", "textarea", "text"),
    Attribute(77, "price", "Price", "price", "decimal", "website", required=True, fr="Prix", de="Preis"),
    Attribute(78, "special_price", "Special Price", "price", "decimal", "website"),
    Attribute(82, "weight", "Weight", "weight", "decimal", "global"),
    Attribute(84, "meta_title", "Meta Title", "text", "varchar"),
    Attribute(85, "meta_keyword", "Meta Keywords", "textarea", "text"),
    Attribute(86, "meta_description", "Meta Description", "textarea", "varchar"),
    Attribute(87, "image", "Base", "media_image", "varchar"),
    Attribute(88, "small_image", "Small", "media_image", "varchar"),
    Attribute(89, "thumbnail", "Thumbnail", "media_image", "varchar"),
    Attribute(97, "status", "Enable Product", "boolean", "int", "website",
              options=(Option(1, "Enabled", "Activé", "Aktiviert"), Option(2, "Disabled", "Désactivé", "Deaktiviert"))),
    Attribute(99, "visibility", "Visibility", "select", "int", options=(
        Option(1, "Not Visible Individually"), Option(2, "Catalog"), Option(3, "Search"),
        Option(4, "Catalog, Search"))),
    Attribute(121, "url_key", "URL Key", "text", "varchar"),
    Attribute(132, "tax_class_id", "Tax Class", "select", "int", "website",
              options=(Option(0, "None"), Option(2, "Taxable Goods"))),
)
ATTRIBUTES = tuple(sorted(OTHER_ATTRIBUTES + SELECT_ATTRIBUTES, key=lambda a: a.id))
ATTRIBUTE_BY_CODE = {a.code: a for a in ATTRIBUTES}

# Attributes each attribute set holds, beyond the system ones every set has.
SET_ATTRIBUTES = {4: ("manufacturer",), 9: ("color", "size", "material", "activity"),
                  10: ("color", "size", "material", "activity"), 11: ("material", "activity", "manufacturer"),
                  12: ()}


@dataclass(frozen=True)
class Category:
    id: int
    parent_id: int
    name: str
    position: int
    fr: str = ""
    de: str = ""


CATEGORIES = (
    Category(1, 0, "Root Catalog", 0), Category(2, 1, "Default Category", 1),
    Category(3, 2, "Women", 1, "Femmes", "Damen"), Category(4, 2, "Men", 2, "Hommes", "Herren"),
    Category(5, 2, "Gear", 3, "Équipement", "Ausrüstung"), Category(6, 3, "Tops", 1, "Hauts", "Oberteile"),
    Category(7, 3, "Bottoms", 2, "Bas", "Hosen"), Category(8, 4, "Tops", 1, "Hauts", "Oberteile"),
    Category(9, 4, "Bottoms", 2, "Bas", "Hosen"), Category(10, 5, "Bags", 1, "Sacs", "Taschen"),
    Category(11, 5, "Fitness Equipment", 2, "Fitness", "Fitnessgeräte"),
    Category(12, 5, "Watches", 3, "Montres", "Uhren"),
    Category(13, 2, "Sale", 4, "Soldes", "Sale"), Category(14, 2, "Downloads", 5, "Téléchargements", "Downloads"),
)
CATEGORY_BY_ID = {c.id: c for c in CATEGORIES}
# Leaf categories a product of an attribute set lands in.
SET_CATEGORIES = {4: (11, 12), 9: (6, 8), 10: (7, 9), 11: (10, 11, 12), 12: (14,)}


def category_path(category_id: int) -> list[int]:
    path = []
    current = CATEGORY_BY_ID.get(category_id)
    while current is not None:
        path.append(current.id)
        current = CATEGORY_BY_ID.get(current.parent_id)
    return path[::-1]
