# ruff: noqa: E501  (tables: one record per line reads better than the formatter's layout)
"""Vocabularies of the synthetic catalogue generator (:mod:`autotrade.catalog.generate`).

Real makes, models, engine codes, WMIs, categories and brands; part-number *formats* per maker and
per brand. Part numbers the generator writes are synthetic: they have the shape of the maker's
numbers (Toyota ``04465-33471``, VW ``5Q0 698 151 A``, Honda ``45022-TBA-A01`` …) and a category code
that is real where we know it (Toyota 04465 = front pads, 90915 = oil filters; VW main group 698 =
brake pads, 115 = oil filters), but the numbers themselves are invented.
"""

from __future__ import annotations

from dataclasses import dataclass

# ---- categories ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CategorySpec:
    code: str
    name_zh: str
    name_en: str
    parent: str | None = None
    positions: tuple[str, ...] = ()  # "" = no position
    materials: tuple[str, ...] = ()
    toyota: tuple[str, ...] = ()  # Toyota 5-digit prefixes, one per position (or one)
    vw: str = "000"  # VW main group + sub group (3 digits)
    weight: int = 10  # how common parts of this category are


ROOTS: tuple[CategorySpec, ...] = (
    CategorySpec("BRAKE", "制动系统", "Brakes"),
    CategorySpec("FILTER", "滤清器", "Filters"),
    CategorySpec("IGNITION", "点火系统", "Ignition"),
    CategorySpec("SUSPENSION", "悬挂系统", "Suspension"),
    CategorySpec("ELECTRICAL", "电气系统", "Electrical"),
    CategorySpec("ENGINE", "发动机", "Engine"),
    CategorySpec("COOLING", "冷却系统", "Cooling"),
)

LEAVES: tuple[CategorySpec, ...] = (
    CategorySpec("BRAKE.PAD", "刹车片", "Brake pads", "BRAKE", ("front", "rear"),
                 ("ceramic", "semi-metallic", "low-metallic"), ("04465", "04466"), "698", 30),
    CategorySpec("BRAKE.DISC", "刹车盘", "Brake discs", "BRAKE", ("front", "rear"),
                 ("cast iron", "carbon ceramic"), ("43512", "42431"), "615", 18),
    CategorySpec("FILTER.OIL", "机油滤清器", "Oil filters", "FILTER", (), ("paper", "synthetic fibre"),
                 ("90915",), "115", 24),
    CategorySpec("FILTER.AIR", "空气滤清器", "Air filters", "FILTER", (), ("paper",), ("17801",), "129", 20),
    CategorySpec("FILTER.CABIN", "空调滤清器", "Cabin air filters", "FILTER", (),
                 ("activated carbon", "paper"), ("87139",), "819", 20),
    CategorySpec("FILTER.FUEL", "燃油滤清器", "Fuel filters", "FILTER", (), ("paper",), ("23300",), "201", 10),
    CategorySpec("IGNITION.PLUG", "火花塞", "Spark plugs", "IGNITION", (), ("iridium", "platinum", "nickel"),
                 ("90919",), "905", 16),
    CategorySpec("IGNITION.COIL", "点火线圈", "Ignition coils", "IGNITION", (), (), ("90919",), "905", 8),
    CategorySpec("SUSPENSION.SHOCK", "减震器", "Shock absorbers", "SUSPENSION", ("front", "rear"),
                 ("gas", "oil"), ("48510", "48530"), "413", 14),
    CategorySpec("SUSPENSION.ARM", "控制臂", "Control arms", "SUSPENSION", ("front-left", "front-right"),
                 ("steel", "aluminium"), ("48068", "48069"), "407", 8),
    CategorySpec("ELECTRICAL.BATTERY", "蓄电池", "Batteries", "ELECTRICAL", (), ("AGM", "EFB", "lead-acid"),
                 ("28800",), "915", 6),
    CategorySpec("ELECTRICAL.WIPER", "雨刮片", "Wiper blades", "ELECTRICAL", ("front", "rear"),
                 ("rubber", "silicone"), ("85222", "85242"), "955", 12),
    CategorySpec("ELECTRICAL.ALTERNATOR", "发电机", "Alternators", "ELECTRICAL", (), (), ("27060",), "903", 4),
    CategorySpec("ENGINE.TIMING_BELT", "正时皮带", "Timing belts", "ENGINE", (), ("HNBR rubber",),
                 ("13568",), "109", 8),
    CategorySpec("ENGINE.WATER_PUMP", "水泵", "Water pumps", "ENGINE", (), ("aluminium",), ("16100",), "121", 6),
    CategorySpec("ENGINE.GASKET", "气缸垫", "Cylinder head gaskets", "ENGINE", (), ("multi-layer steel",),
                 ("11115",), "103", 4),
    CategorySpec("COOLING.RADIATOR", "散热器", "Radiators", "COOLING", (), ("aluminium",), ("16400",), "121", 5),
)  # fmt: skip

POSITION_ZH = {"front": "前", "rear": "后", "front-left": "左前", "front-right": "右前", "": ""}
POSITION_EN = {"front": "Front", "rear": "Rear", "front-left": "Front left", "front-right": "Front right"}
MATERIAL_ZH = {
    "ceramic": "陶瓷", "semi-metallic": "半金属", "low-metallic": "低金属", "cast iron": "铸铁",
    "carbon ceramic": "碳陶", "paper": "滤纸", "synthetic fibre": "合成纤维", "activated carbon": "活性炭",
    "iridium": "铱金", "platinum": "铂金", "nickel": "镍合金", "gas": "充气", "oil": "液压", "steel": "钢制",
    "aluminium": "铝合金", "AGM": "AGM", "EFB": "EFB", "lead-acid": "铅酸", "rubber": "橡胶",
    "silicone": "硅胶", "HNBR rubber": "氢化丁腈橡胶", "multi-layer steel": "多层钢",
}  # fmt: skip
NAME_SUFFIX_ZH = ("", "", "套装", "总成", "(原厂)")
NAME_SUFFIX_EN = ("", "", " set", " assembly", " (genuine)")

# ---- vehicle makes ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MakeSpec:
    name: str
    name_zh: str
    country: str  # the brand's country (ISO 3166 alpha-2)
    fmt: str  # OE number format key (see generate.oe_number)
    wmis: tuple[str, ...]
    models: tuple[tuple[str, str], ...]  # (name, name_zh)
    engines: tuple[tuple[str, int, str, int], ...]  # (engine code, cc, fuel, kW)
    transmissions: tuple[str, ...]


MAKES: tuple[MakeSpec, ...] = (
    MakeSpec("Volkswagen", "大众", "DE", "vw", ("LFV", "LSV"),
             (("Sagitar", "速腾"), ("Jetta", "捷达"), ("Magotan", "迈腾"), ("Lavida", "朗逸"), ("Passat", "帕萨特"),
              ("Tiguan L", "途观L"), ("Bora", "宝来"), ("Tayron", "探岳")),
             (("EA211 DJS", 1395, "petrol", 110), ("EA211 DLF", 1498, "petrol", 83), ("EA888 DKV", 1984, "petrol", 137),
              ("EA888 DKX", 1984, "petrol", 162)), ("MT", "AT", "DSG")),
    MakeSpec("Toyota", "丰田", "JP", "toyota", ("LFM", "LVG", "LTV"),
             (("Corolla", "卡罗拉"), ("Levin", "雷凌"), ("Camry", "凯美瑞"), ("RAV4", "荣放"), ("Highlander", "汉兰达"),
              ("Crown", "皇冠"), ("Avalon", "亚洲龙"), ("Vios", "威驰")),
             (("M20A-FKS", 1987, "petrol", 126), ("A25A-FKS", 2487, "petrol", 154), ("2ZR-FE", 1798, "petrol", 103),
              ("8NR-FTS", 1197, "petrol", 85), ("2ZR-FXE", 1798, "hev", 72)), ("CVT", "AT", "e-CVT")),
    MakeSpec("Honda", "本田", "JP", "honda", ("LHG", "LVH"),
             (("Civic", "思域"), ("CR-V", "CR-V"), ("Accord", "雅阁"), ("Fit", "飞度"), ("XR-V", "XR-V"),
              ("Odyssey", "奥德赛"), ("Breeze", "皓影")),
             (("L15B", 1498, "petrol", 96), ("L15BJ", 1498, "petrol", 130), ("LFB11", 1993, "hev", 107),
              ("K20C", 1996, "petrol", 147)), ("CVT", "MT", "e-CVT")),
    MakeSpec("Nissan", "日产", "JP", "nissan", ("LGB",),
             (("Sylphy", "轩逸"), ("X-Trail", "奇骏"), ("Teana", "天籁"), ("Qashqai", "逍客"), ("Tiida", "骐达")),
             (("MR20DD", 1997, "petrol", 111), ("HR16DE", 1598, "petrol", 93), ("KR15DDT", 1477, "petrol", 150)),
             ("CVT", "MT")),
    MakeSpec("BYD", "比亚迪", "CN", "cn_qct", ("LGX",),
             (("Qin PLUS", "秦PLUS"), ("Han", "汉"), ("Song PLUS", "宋PLUS"), ("Tang", "唐"), ("Yuan PLUS", "元PLUS"),
              ("Seal", "海豹"), ("Dolphin", "海豚")),
             (("BYD472QA", 1498, "phev", 81), ("BYD476ZQC", 1497, "phev", 102), ("TZ200XSQ", 0, "bev", 150),
              ("TZ180XSE", 0, "bev", 135)), ("E-CVT", "e-drive")),
    MakeSpec("Geely", "吉利", "CN", "cn_digits", ("LB3",),
             (("Emgrand", "帝豪"), ("Boyue", "博越"), ("Xingyue L", "星越L"), ("Coolray", "缤越"), ("Xingrui", "星瑞")),
             (("JLC-4G15", 1498, "petrol", 84), ("JLH-4G20TDB", 1969, "petrol", 160), ("BHE15-BFN", 1477, "petrol", 133)),
             ("MT", "CVT", "DCT")),
    MakeSpec("Tesla", "特斯拉", "US", "tesla", ("LRW",),
             (("Model 3", "Model 3"), ("Model Y", "Model Y")),
             (("3D1", 0, "bev", 194), ("3D3", 0, "bev", 220), ("3D7", 0, "bev", 331)), ("e-drive",)),
    MakeSpec("Changan", "长安", "CN", "cn_qct", ("LS5",),
             (("CS75 PLUS", "CS75 PLUS"), ("CS55 PLUS", "CS55 PLUS"), ("Eado", "逸动"), ("UNI-K", "UNI-K"),
              ("UNI-T", "UNI-T")),
             (("JL473ZQ7", 1494, "petrol", 132), ("JL486ZQ5", 1998, "petrol", 171), ("JL478QEE", 1598, "petrol", 94)),
             ("MT", "AT", "DCT")),
    MakeSpec("Haval", "哈弗", "CN", "cn_gwm", ("LGW",),
             (("H6", "H6"), ("Jolion", "初恋"), ("H9", "H9"), ("Big Dog", "大狗")),
             (("GW4B15A", 1499, "petrol", 124), ("GW4C20B", 1967, "petrol", 165), ("GW4B15D", 1497, "hev", 110)),
             ("DCT", "MT")),
    MakeSpec("Hyundai", "现代", "KR", "hmc", ("LBE",),
             (("Elantra", "伊兰特"), ("Tucson L", "途胜L"), ("Sonata", "索纳塔"), ("ix35", "ix35")),
             (("G4FG", 1591, "petrol", 90), ("G4NA", 1999, "petrol", 118), ("G4FJ", 1591, "petrol", 130)),
             ("MT", "AT", "DCT")),
    MakeSpec("Kia", "起亚", "KR", "hmc", ("LJD",),
             (("K3", "K3"), ("K5", "K5"), ("Sportage", "智跑"), ("Seltos", "傲跑")),
             (("G4FG", 1591, "petrol", 90), ("G4FJ", 1591, "petrol", 130), ("G4NA", 1999, "petrol", 118)),
             ("MT", "AT", "DCT")),
    MakeSpec("BMW", "宝马", "DE", "bmw", ("LBV",),
             (("3 Series", "3系"), ("5 Series", "5系"), ("X1", "X1"), ("X3", "X3")),
             (("B48B20", 1998, "petrol", 135), ("B38A15", 1499, "petrol", 103), ("B58B30", 2998, "petrol", 250)),
             ("AT", "DCT")),
    MakeSpec("Mercedes-Benz", "奔驰", "DE", "mb", ("LE4",),
             (("C-Class", "C级"), ("E-Class", "E级"), ("GLC", "GLC"), ("A-Class", "A级")),
             (("M264", 1497, "petrol", 125), ("M254", 1999, "petrol", 150), ("M282", 1332, "petrol", 120)),
             ("AT", "DCT")),
    MakeSpec("Buick", "别克", "US", "gm", ("LSG",),
             (("Excelle GT", "英朗"), ("Regal", "君威"), ("LaCrosse", "君越"), ("Envision", "昂科威"), ("GL8", "GL8")),
             (("LI6", 1490, "petrol", 84), ("LSY", 1998, "petrol", 174), ("L3G", 1341, "petrol", 120)),
             ("MT", "AT", "CVT")),
    MakeSpec("Audi", "奥迪", "DE", "vw", ("LFV",),
             (("A4L", "A4L"), ("A6L", "A6L"), ("Q5L", "Q5L"), ("Q3", "Q3")),
             (("EA888 DTA", 1984, "petrol", 140), ("EA888 DKW", 1984, "petrol", 180), ("EA211 DPL", 1395, "petrol", 110)),
             ("DSG", "AT")),
    MakeSpec("Mazda", "马自达", "JP", "mazda", ("LVR",),
             (("Mazda3 Axela", "昂克赛拉"), ("CX-5", "CX-5"), ("CX-30", "CX-30")),
             (("PE-VPS", 1998, "petrol", 114), ("PY-VPS", 2488, "petrol", 144)), ("AT", "MT")),
)  # fmt: skip

TRIMS = ("舒适型", "豪华型", "尊贵型", "运动版", "领先版", "精英版", "旗舰版", "进取型", "智享版", "标准型")
MODEL_SUFFIXES = ("", " L", " PLUS", " Pro", " Max", " Sport", " Cross", " GT", " Classic", " New")
BODIES = ("sedan", "hatchback", "suv", "mpv", "wagon")
FITMENT_NOTES = ("带ABS", "不带电子手刹", "with ABS", "带ESP", "for models with sport package", "国六排放")

# VIN alphabet (no I, O, Q) and the model-year letters 2010–2030, then digits 2031–2039.
VIN_CHARS = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
YEAR_CODES = "ABCDEFGHJKLMNPRSTVWXY123456789"  # 2010, 2011, … 2039


def year_code(year: int) -> str:
    return YEAR_CODES[(year - 2010) % 30]


# ---- part brands --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BrandSpec:
    name: str
    name_zh: str | None
    kind: str  # vehicle_maker | oe_supplier | aftermarket
    country: str
    fmt: str  # brand-number format key (see generate.brand_number)
    categories: tuple[str, ...]  # category-code prefixes the brand makes ("" = all)


SUPPLIERS: tuple[BrandSpec, ...] = (
    BrandSpec("Bosch", "博世", "oe_supplier", "DE", "bosch", ("BRAKE", "FILTER", "IGNITION", "ELECTRICAL")),
    BrandSpec("Brembo", "布雷博", "aftermarket", "IT", "brembo", ("BRAKE",)),
    BrandSpec("TRW", "天合", "oe_supplier", "DE", "trw", ("BRAKE", "SUSPENSION.ARM")),
    BrandSpec("ATE", "ATE", "oe_supplier", "DE", "ate", ("BRAKE",)),
    BrandSpec("Textar", "泰明顿", "aftermarket", "DE", "textar", ("BRAKE",)),
    BrandSpec("Ferodo", "菲罗多", "aftermarket", "GB", "ferodo", ("BRAKE",)),
    BrandSpec("Akebono", "曙光", "oe_supplier", "JP", "akebono", ("BRAKE.PAD",)),
    BrandSpec("Mann-Filter", "曼牌", "oe_supplier", "DE", "mann", ("FILTER",)),
    BrandSpec("Mahle", "马勒", "oe_supplier", "DE", "mahle", ("FILTER", "ENGINE", "COOLING")),
    BrandSpec("Hengst", "汉格斯特", "aftermarket", "DE", "hengst", ("FILTER",)),
    BrandSpec("NGK", "NGK", "oe_supplier", "JP", "ngk", ("IGNITION",)),
    BrandSpec("Denso", "电装", "oe_supplier", "JP", "denso", ("IGNITION", "FILTER.CABIN", "COOLING", "ELECTRICAL")),
    BrandSpec("Valeo", "法雷奥", "oe_supplier", "FR", "valeo", ("ELECTRICAL", "FILTER.CABIN", "COOLING", "ENGINE")),
    BrandSpec("Sachs", "萨克斯", "oe_supplier", "DE", "sachs", ("SUSPENSION.SHOCK",)),
    BrandSpec("KYB", "KYB", "oe_supplier", "JP", "kyb", ("SUSPENSION.SHOCK",)),
    BrandSpec("Lemforder", "伦福德", "oe_supplier", "DE", "lemforder", ("SUSPENSION.ARM",)),
    BrandSpec("Continental", "马牌", "oe_supplier", "DE", "conti", ("ENGINE.TIMING_BELT",)),
    BrandSpec("Gates", "盖茨", "aftermarket", "US", "gates", ("ENGINE.TIMING_BELT", "ENGINE.WATER_PUMP")),
    BrandSpec("Hella", "海拉", "oe_supplier", "DE", "hella", ("ELECTRICAL", "COOLING")),
    BrandSpec("Varta", "瓦尔塔", "aftermarket", "DE", "varta", ("ELECTRICAL.BATTERY",)),
    BrandSpec("Camel", "骆驼", "aftermarket", "CN", "camel", ("ELECTRICAL.BATTERY",)),
    BrandSpec("Elring", "爱尔铃", "aftermarket", "DE", "elring", ("ENGINE.GASKET",)),
)  # fmt: skip

# Shapes of a category's physical attributes: (key, low, high, unit step). Keys are listed in the order
# PostgreSQL's jsonb returns them (shorter keys first, then bytewise), so the search document built from
# a part's attributes is the same on both databases.
ATTRIBUTES: dict[str, tuple[tuple[str, int, int], ...]] = {
    "BRAKE.PAD": (("width_mm", 90, 160), ("height_mm", 45, 70), ("thickness_mm", 15, 20)),
    "BRAKE.DISC": (("diameter_mm", 256, 345), ("thickness_mm", 10, 32)),
    "FILTER.OIL": (("height_mm", 50, 140), ("outer_diameter_mm", 64, 95)),
    "FILTER.AIR": (("width_mm", 150, 260), ("length_mm", 200, 340), ("height_mm", 35, 70)),
    "FILTER.CABIN": (("width_mm", 180, 260), ("length_mm", 200, 280), ("height_mm", 17, 35)),
    "FILTER.FUEL": (("height_mm", 80, 180), ("outer_diameter_mm", 50, 90)),
    "IGNITION.PLUG": (("gap_0_1mm", 6, 11), ("heat_range", 5, 8)),
    "SUSPENSION.SHOCK": (("stroke_mm", 120, 200), ("length_mm", 350, 560)),
    "ELECTRICAL.BATTERY": (("voltage_v", 12, 12), ("capacity_ah", 45, 95), ("cca_a", 400, 850)),
    "ELECTRICAL.WIPER": (("length_mm", 300, 700),),
    "ENGINE.TIMING_BELT": (("teeth", 100, 180), ("width_mm", 17, 30)),
    "COOLING.RADIATOR": (("width_mm", 550, 750), ("height_mm", 350, 480)),
}
