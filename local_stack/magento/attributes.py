"""Product attributes, their options and the attribute sets that hold them (Luma-like, fixed)."""
from __future__ import annotations

from dataclasses import dataclass, field

ATTRIBUTE_SETS = ((4, "Default"), (9, "Top"), (10, "Bottom"), (11, "Gear"), (12, "Downloadable"))
PRODUCT_ENTITY_TYPE_ID = 4
BOOLEAN_SOURCE = "Magento\\Eav\\Model\\Entity\\Attribute\\Source\\Boolean"
TABLE_SOURCE = "Magento\\Eav\\Model\\Entity\\Attribute\\Source\\Table"


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
OPTION_ATTRIBUTES = {a.code: a for a in SELECT_ATTRIBUTES}  # table-backed options (values are option ids)
TOP_SIZES = tuple(o.id for o in SIZE.options[:5])
BOTTOM_SIZES = tuple(o.id for o in SIZE.options[5:])

# Yes/No attributes (frontend_input "boolean"): values "1"/"0", labels from Magento's Boolean source model.
YES_NO = (Option(1, "Yes", "Oui", "Ja"), Option(0, "No", "Non", "Nein"))
BOOLEAN_ATTRIBUTES = (
    Attribute(150, "eco_collection", "Eco Collection", "boolean", "int", "global", True, options=YES_NO,
              fr="Collection écologique", de="Öko-Kollektion"),
    Attribute(151, "performance_fabric", "Performance Fabric", "boolean", "int", "global", True, options=YES_NO,
              fr="Tissu technique", de="Funktionsstoff"),
    Attribute(152, "erin_recommends", "Erin Recommends", "boolean", "int", "global", True, options=YES_NO,
              fr="Erin recommande", de="Erin empfiehlt"),
    Attribute(153, "new", "New", "boolean", "int", "global", True, options=YES_NO, fr="Nouveau", de="Neu"),
    Attribute(154, "sale", "Sale", "boolean", "int", "global", True, options=YES_NO, fr="Soldes", de="Angebot"),
)
BOOLEAN_CODES = frozenset(a.code for a in BOOLEAN_ATTRIBUTES)

OTHER_ATTRIBUTES = (
    Attribute(73, "name", "Product Name", "text", "varchar", required=True, fr="Nom", de="Name"),
    Attribute(74, "sku", "SKU", "text", "static", "global", required=True),
    Attribute(75, "description", "Description", "textarea", "text"),
    Attribute(76, "short_description", "Short Description", "textarea", "text"),
    Attribute(77, "price", "Price", "price", "decimal", "website", required=True, fr="Prix", de="Preis"),
    Attribute(78, "special_price", "Special Price", "price", "decimal", "website"),
    Attribute(79, "special_from_date", "Special Price From Date", "date", "datetime", "website"),
    Attribute(80, "special_to_date", "Special Price To Date", "date", "datetime", "website"),
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
ATTRIBUTES = tuple(sorted(OTHER_ATTRIBUTES + SELECT_ATTRIBUTES + BOOLEAN_ATTRIBUTES, key=lambda a: a.id))
ATTRIBUTE_BY_CODE = {a.code: a for a in ATTRIBUTES}

# Attributes each attribute set holds, beyond the system ones every set has.
SET_ATTRIBUTES = {
    4: ("manufacturer", "new", "sale"),
    9: ("color", "size", "material", "activity", "eco_collection", "performance_fabric", "erin_recommends", "new",
        "sale"),
    10: ("color", "size", "material", "activity", "eco_collection", "performance_fabric", "erin_recommends", "new",
         "sale"),
    11: ("material", "activity", "manufacturer", "eco_collection", "new", "sale"),
    12: ("new",),
}
USER_DEFINED = frozenset(a.code for a in SELECT_ATTRIBUTES + BOOLEAN_ATTRIBUTES)


def source_model(attribute: Attribute) -> str:
    if attribute.code in OPTION_ATTRIBUTES:
        return TABLE_SOURCE
    return BOOLEAN_SOURCE if attribute.code in BOOLEAN_CODES else ""
