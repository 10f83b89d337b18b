"""The demo taxonomy (three levels, about 150 leaves) and its duty list.

Each leaf carries its handler: STREET for place-bound matters the street where it happened deals
with (neighbour noise, vendors, sanitation, estate management...), otherwise the code of the
department that owns the matter city-wide. The tier sets the time limits: "utility" for water,
power, gas and heating, "urgent" for danger to people or traffic, "complex" for disputes that
take investigation, "ordinary" for the rest.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

STREET = "street"
ORDINARY, URGENT, UTILITY, COMPLEX = "ordinary", "urgent", "utility", "complex"

# (code, Chinese, English, [(code, Chinese, English, [leaf, ...]), ...]) where a leaf is
# (code, Chinese, English, handler) or (code, Chinese, English, handler, tier).
TAXONOMY = (
    ("HOU", "住房", "Housing", (
        ("PM", "物业管理", "Property management", (
            ("LIFT", "电梯停运", "Lift out of service", STREET),
            ("FEE", "物业收费争议", "Property fee dispute", STREET),
            ("SVC", "物业服务差", "Poor property services", STREET),
            ("LEAK", "公共部位漏水", "Leak in shared areas", STREET),
            ("GATE", "小区门禁安保", "Estate gates and security", STREET),
            ("COMM", "业委会成立与换届", "Owners' committee elections", STREET),
            ("CHANGE", "物业企业更换", "Change of property company", STREET),
            ("INCOME", "公共收益不公开", "Shared income not disclosed", STREET),
        )),
        ("REP", "房屋修缮", "Building repairs", (
            ("ROOF", "屋顶漏雨", "Leaking roof", STREET),
            ("FACADE", "外墙脱落", "Falling facade tiles", STREET, URGENT),
            ("OLD", "老旧小区改造", "Old estate renovation", "DEP-HOUSING"),
            ("ADDLIFT", "老楼加装电梯", "Adding lifts to old buildings", "DEP-HOUSING"),
        )),
        ("RENT", "房屋租赁", "Renting", (
            ("DEPOSIT", "押金不退", "Deposit not returned", "DEP-HOUSING"),
            ("GROUP", "群租房", "Overcrowded group rentals", STREET),
        )),
        ("TRADE", "房产交易", "Property transactions", (
            ("TITLE", "产权纠纷", "Property title dispute", "DEP-PLANNING", COMPLEX),
            ("DELIVERY", "新房延期交付", "Late delivery of a new home", "DEP-HOUSING", COMPLEX),
        )),
        ("FUND", "住房公积金", "Housing provident fund", (
            ("WITHDRAW", "公积金提取", "Provident fund withdrawal", "DEP-HPF"),
        )),
    )),
    ("HEAT", "供暖", "Heating", (
        ("SUP", "供热", "Heat supply", (
            ("COLD", "室温不达标", "Room temperature too low", "DEP-HEAT", UTILITY),
            ("NONE", "暖气不热", "Radiators cold", "DEP-HEAT", UTILITY),
            ("LEAK", "暖气漏水", "Leaking radiator", "DEP-HEAT", UTILITY),
            ("BURST", "供热管线爆裂", "Burst heating main", "DEP-HEAT", URGENT),
        )),
        ("FEE", "供暖费用", "Heating charges", (
            ("BILL", "供暖费争议", "Heating bill dispute", "DEP-HEAT", UTILITY),
        )),
    )),
    ("UTL", "水电气", "Water, power and gas", (
        ("WATER", "供水", "Water supply", (
            ("OUT", "停水", "Water outage", "DEP-WATER", UTILITY),
            ("PRESS", "水压低", "Low water pressure", "DEP-WATER", UTILITY),
            ("QUAL", "水质异常", "Water quality problem", "DEP-WATER", UTILITY),
            ("BURST", "供水管线爆裂", "Burst water main", "DEP-WATER", URGENT),
        )),
        ("POWER", "供电", "Power supply", (
            ("OUT", "停电", "Power outage", "DEP-POWER", UTILITY),
            ("LINE", "电线断落", "Fallen power line", "DEP-POWER", URGENT),
        )),
        ("GAS", "燃气", "Gas supply", (
            ("SMELL", "燃气泄漏异味", "Smell of gas", "DEP-GAS", URGENT),
            ("OUT", "停气", "Gas outage", "DEP-GAS", UTILITY),
            ("BILL", "燃气费与表具", "Gas bills and meters", "DEP-GAS", UTILITY),
        )),
        ("DRAIN", "排水", "Drainage", (
            ("BLOCK", "下水道堵塞", "Blocked sewer", "DEP-DRAINAGE", UTILITY),
            ("FLOOD", "路面积水", "Waterlogged road", "DEP-DRAINAGE", UTILITY),
        )),
    )),
    ("TRF", "道路交通", "Roads and traffic", (
        ("ROAD", "道路设施", "Road facilities", (
            ("POTHOLE", "路面坑洼", "Potholes", "DEP-TRANSPORT"),
            ("COVER", "井盖塌陷缺失", "Collapsed or missing manhole cover", "DEP-URBAN", URGENT),
            ("LIGHT", "路灯不亮", "Street lights out", "DEP-URBAN"),
            ("SIGNAL", "信号灯故障", "Traffic light failure", "DEP-TRAFFIC"),
        )),
        ("ORDER", "交通秩序", "Traffic order", (
            ("BLOCKED", "违停占道", "Illegal parking on the road", "DEP-TRAFFIC"),
            ("TAXI", "出租车拒载绕路", "Taxi refusal or detour", "DEP-TRANSPORT"),
            ("BIKE", "共享单车乱停", "Shared bikes parked in the way", STREET),
        )),
        ("WORK", "道路施工", "Road works", (
            ("OCCUPY", "施工占道", "Road works blocking lanes", "DEP-TRANSPORT"),
            ("DEBRIS", "渣土遗撒", "Spilled construction debris", STREET),
        )),
    )),
    ("PRK", "停车", "Parking", (
        ("RES", "居住区停车", "Residential parking", (
            ("SPACE", "小区车位不足", "Too few estate parking spaces", STREET),
            ("TAKEN", "车位被占", "Parking space taken", STREET),
            ("LOCK", "私装地锁", "Private parking locks", STREET),
            ("FEE", "小区停车收费", "Estate parking charges", STREET),
            ("CHARGER", "小区充电桩", "Chargers in the estate", STREET),
        )),
        ("PUB", "公共停车", "Public parking", (
            ("FEE", "路侧停车收费", "On-street parking charges", "DEP-TRANSPORT"),
            ("ABANDON", "僵尸车", "Abandoned vehicle", STREET),
        )),
    )),
    ("NOI", "噪声", "Noise", (
        ("LIFE", "生活噪声", "Neighbourhood noise", (
            ("NEIGH", "邻里噪声", "Noise from neighbours", STREET),
            ("DANCE", "广场舞噪声", "Square dancing noise", STREET),
            ("SHOP", "商铺喇叭噪声", "Shop loudspeakers", STREET),
            ("DECOR", "装修噪声", "Renovation noise", STREET),
            ("EQUIP", "空调外机噪声", "Air-conditioner unit noise", STREET),
            ("VENUE", "娱乐场所噪声", "Entertainment venue noise", STREET),
        )),
        ("CONS", "施工噪声", "Construction noise", (
            ("NIGHT", "夜间施工扰民", "Night-time construction", STREET),
            ("PERMIT", "夜间施工许可", "Night-work permits", "DEP-HOUSING"),
        )),
        ("IND", "工业交通噪声", "Industrial and traffic noise", (
            ("FACTORY", "工厂噪声", "Factory noise", "DEP-ECO"),
            ("RAIL", "轨道交通噪声", "Rail transit noise", "DEP-SUBWAY"),
        )),
    )),
    ("ENV", "环境卫生", "Sanitation and environment", (
        ("SAN", "环境卫生", "Sanitation", (
            ("TRASH", "垃圾未清运", "Rubbish not collected", STREET),
            ("SORT", "垃圾分类", "Waste sorting", STREET),
            ("TOILET", "公厕脏乱", "Dirty public toilet", STREET),
            ("LITTER", "道路不洁", "Littered street", STREET),
            ("DUMP", "建筑垃圾乱倒", "Fly-tipped building waste", STREET),
            ("PEST", "鼠患蚊蝇", "Rats and pests", STREET),
        )),
        ("POL", "环境污染", "Pollution", (
            ("AIR", "工业废气", "Industrial emissions", "DEP-ECO"),
            ("FUMES", "餐饮油烟", "Restaurant cooking fumes", STREET),
            ("BURN", "露天焚烧", "Open burning", STREET),
            ("RIVER", "河道污染", "River pollution", "DEP-WATERAUTH"),
        )),
    )),
    ("MKT", "市场监管", "Market regulation and consumer rights", (
        ("FOOD", "食品安全", "Food safety", (
            ("HYGIENE", "餐馆卫生", "Restaurant hygiene", "DEP-MARKET"),
            ("EXPIRED", "过期食品", "Expired food", "DEP-MARKET"),
            ("POISON", "食物中毒", "Food poisoning", "DEP-MARKET", URGENT),
            ("UNLICENSED", "无证餐饮", "Unlicensed food business", "DEP-MARKET"),
        )),
        ("CONS", "消费维权", "Consumer rights", (
            ("REFUND", "退费难", "Refund refused", "DEP-MARKET"),
            ("PREPAID", "预付卡商家跑路", "Prepaid-card shop closed down", "DEP-MARKET", COMPLEX),
        )),
        ("EQP", "特种设备", "Special equipment", (
            ("LIFT", "电梯安全隐患", "Lift safety hazard", "DEP-MARKET"),
        )),
        ("DRUG", "药品安全", "Medicines", (
            ("QUALITY", "药品质量", "Medicine quality", "DEP-DRUG"),
        )),
        ("FIN", "金融消费", "Financial services", (
            ("LOAN", "非法集资与高利贷", "Illegal fundraising and loan sharks", "DEP-FINANCE", COMPLEX),
        )),
    )),
    ("SAF", "公共安全", "Public safety", (
        ("FIRE", "消防安全", "Fire safety", (
            ("LANE", "消防通道堵塞", "Blocked fire lane", STREET),
            ("EBIKE", "电动车楼道充电", "E-bikes charged in stairwells", STREET),
            ("EQUIP", "消防设施损坏", "Broken fire equipment", "DEP-FIRE"),
        )),
        ("ORDER", "治安", "Public order", (
            ("SCAM", "电信诈骗", "Phone and online scams", "DEP-POLICE"),
            ("HUKOU", "户籍与居住证", "Household registration and residence permits", "DEP-POLICE"),
        )),
        ("HAZ", "安全隐患", "Hazards", (
            ("BUILDING", "危房", "Dangerous building", STREET, URGENT),
            ("CHEM", "危化品隐患", "Hazardous chemicals", "DEP-EMERGENCY", URGENT),
            ("BILLBOARD", "广告牌松动", "Loose billboard", STREET, URGENT),
            ("BASEMENT", "地下空间违规住人", "People living in basements", STREET),
            ("HEIGHT", "高空坠物隐患", "Objects at risk of falling from height", STREET),
        )),
    )),
    ("EDU", "教育", "Education", (
        ("SCH", "中小学", "Schools", (
            ("ENROL", "入学", "School admission", "DEP-EDU"),
            ("TUTOR", "校外培训机构", "Private tutoring companies", "DEP-EDU"),
        )),
        ("PRE", "学前教育", "Pre-school", (
            ("KINDER", "幼儿园入园", "Kindergarten places", "DEP-EDU"),
        )),
    )),
    ("HEA", "卫生健康", "Health", (
        ("MED", "医疗服务", "Medical services", (
            ("DISPUTE", "医疗纠纷", "Medical dispute", "DEP-HEALTH", COMPLEX),
        )),
        ("PUB", "公共卫生", "Public health", (
            ("SMOKING", "公共场所吸烟", "Smoking in public places", "DEP-HEALTH"),
        )),
        ("INS", "医疗保障", "Medical insurance", (
            ("CLAIM", "医保报销", "Insurance reimbursement", "DEP-MEDINS"),
        )),
    )),
    ("LAB", "劳动就业", "Labour and wages", (
        ("WAGE", "工资", "Wages", (
            ("ARREARS", "个人欠薪", "Unpaid wages (one worker)", "DEP-LABOUR"),
            ("GROUP", "群体欠薪", "Unpaid wages for many workers", "DEP-LABOUR", COMPLEX),
        )),
        ("REL", "劳动关系", "Employment relations", (
            ("CONTRACT", "未签劳动合同", "No written contract", "DEP-LABOUR"),
            ("DISMISS", "违法解雇", "Unlawful dismissal", "DEP-LABOUR"),
        )),
        ("JOB", "就业服务", "Job services", (
            ("UNEMP", "失业登记与失业金", "Unemployment registration and benefit", "DEP-LABOUR"),
            ("SERVICE", "社区就业服务", "Community job services", STREET),
        )),
    )),
    ("SOC", "社会保障", "Social security", (
        ("INS", "社会保险", "Social insurance", (
            ("PAY", "社保缴费", "Contributions", "DEP-TAX"),
            ("PENSION", "养老金", "Pensions", "DEP-LABOUR"),
        )),
        ("AID", "社会救助", "Social assistance", (
            ("DIBAO", "低保申请", "Minimum living allowance", STREET),
            ("ELDER", "居家养老服务", "Home care for the elderly", STREET),
            ("MEALS", "老年餐桌", "Meals for the elderly", STREET),
            ("DISABLED", "残疾人帮扶", "Help for disabled people", "DEP-DISABLED"),
            ("MARRIAGE", "婚姻登记", "Marriage registration", "DEP-CIVIL"),
            ("VETERAN", "退役军人优抚", "Veterans' benefits", "DEP-VETERANS"),
        )),
    )),
    ("URB", "城市管理", "Urban management", (
        ("BLD", "违法建设", "Illegal construction", (
            ("ROOF", "楼顶违建", "Illegal rooftop structure", STREET),
            ("SHED", "私搭乱建", "Illegal sheds and extensions", STREET),
            ("WALL", "破墙开店", "Wall knocked through for a shop", STREET),
            ("GREEN", "毁绿占地", "Building over green space", STREET),
        )),
        ("STREET", "街面秩序", "Street order", (
            ("VENDOR", "无照游商", "Street vendors", STREET),
            ("SPILL", "店外经营", "Shops trading on the pavement", STREET),
            ("FLYER", "小广告", "Illegal flyers", STREET),
            ("SIGN", "牌匾标识", "Shop signs", STREET),
            ("BBQ", "露天烧烤", "Outdoor barbecues", STREET),
            ("SCRAP", "废品回收站", "Scrapyards", STREET),
            ("DRYING", "占道晾晒堆物", "Goods piled on the pavement", STREET),
        )),
        ("FAC", "市政设施", "Municipal facilities", (
            ("PAVEMENT", "便道破损", "Broken pavement", STREET),
            ("SNOW", "积雪清扫", "Snow clearance", STREET),
            ("BIN", "果皮箱损坏", "Damaged litter bins", STREET),
            ("BOLLARD", "便道隔离桩", "Bollards blocking the pavement", STREET),
        )),
    )),
    ("GRN", "园林绿化", "Greening", (
        ("TREE", "树木", "Trees", (
            ("FALLEN", "树木倒伏阻路", "Fallen tree blocking the road", STREET, URGENT),
            ("PRUNE", "树木修剪", "Tree pruning", STREET),
            ("PEST", "树木病虫害", "Tree pests", "DEP-GREEN"),
            ("FELLING", "私伐树木", "Illegal felling", "DEP-GREEN"),
            ("CATKIN", "杨柳飞絮", "Poplar and willow catkins", "DEP-GREEN"),
        )),
        ("PARK", "公园绿地", "Parks and green space", (
            ("FAC", "公园设施", "Park facilities", "DEP-GREEN"),
            ("ESTATE", "小区绿化", "Estate greenery", STREET),
        )),
    )),
    ("PTR", "公共交通", "Public transport", (
        ("BUS", "公交", "Buses", (
            ("WAIT", "公交间隔长", "Long waits for buses", "DEP-BUS"),
            ("DRIVER", "公交司机服务", "Bus driver conduct", "DEP-BUS"),
        )),
        ("RAIL", "地铁", "Subway", (
            ("CROWD", "地铁拥挤", "Subway overcrowding", "DEP-SUBWAY"),
            ("FAC", "地铁设施故障", "Broken subway facilities", "DEP-SUBWAY"),
        )),
    )),
    ("TEL", "通信", "Telecoms", (
        ("SVC", "通信服务", "Telecom services", (
            ("SIGNAL", "手机信号差", "Poor mobile signal", "DEP-MOBILE"),
            ("BROADBAND", "宽带故障", "Broadband fault", "DEP-UNICOM"),
            ("LANDLINE", "固话故障", "Landline fault", "DEP-TELECOM"),
            ("SPAM", "骚扰电话", "Nuisance calls", "DEP-COMMS"),
        )),
        ("LINE", "通信线路", "Telecom lines", (
            ("CABLE", "线缆垂落", "Dangling cables", STREET),
        )),
    )),
    ("GOV", "政务与社区", "Public services and community", (
        ("SVC", "政务服务", "Public services", (
            ("CONDUCT", "窗口服务态度", "Service counter conduct", STREET),
            ("CERT", "证明开具", "Certificates", STREET),
            ("TAX", "纳税服务", "Tax services", "DEP-TAX"),
            ("POST", "快递服务", "Parcel delivery", "DEP-POST"),
        )),
        ("COMM", "社区治理", "Community affairs", (
            ("WORK", "社区工作", "Community office", STREET),
            ("DOG", "不文明养犬", "Dog nuisance", STREET),
            ("FITNESS", "健身器材损坏", "Broken fitness equipment", STREET),
            ("FACILITY", "社区公共设施", "Community facilities", STREET),
            ("CULTURE", "文化活动场所", "Cultural venues", "DEP-CULTURE"),
            ("SPORT", "体育场馆", "Sports venues", "DEP-SPORT"),
            ("SHOPS", "便民商业网点", "Neighbourhood shops", "DEP-COMMERCE"),
        )),
    )),
)


@dataclass(frozen=True)
class CategorySpec:
    code: str
    parent_code: str | None
    level: int
    name: str
    name_en: str
    tier: str = ORDINARY
    handler: str | None = None  # leaves only: STREET or a department code

    @property
    def is_leaf(self) -> bool:
        return self.level == 3


def categories() -> Iterator[CategorySpec]:
    """Every node, parents before children (so parents exist when children are written)."""
    for code1, name1, en1, groups in TAXONOMY:
        yield CategorySpec(code1, None, 1, name1, en1)
        for code2, name2, en2, _ in groups:
            yield CategorySpec(f"{code1}-{code2}", code1, 2, name2, en2)
    for code1, _, _, groups in TAXONOMY:
        for code2, _, _, leaves in groups:
            for code3, name3, en3, handler, *tier in leaves:
                yield CategorySpec(
                    f"{code1}-{code2}-{code3}", f"{code1}-{code2}", 3, name3, en3,
                    tier=tier[0] if tier else ORDINARY, handler=handler,
                )


# "Is this already reported?": how far from a pin the same problem counts, where it differs from
# NEARBY_RADIUS_METERS (a lamp is one spot in a street; night-time works are heard blocks away).
NEARBY_RADII = {"TRF-ROAD-LIGHT": 50, "NOI-CONS-NIGHT": 500}


# What a demo resident writes, by leaf code: `make run`'s demo activity files appeals in these
# categories only, each with its own category's text, so no demo appeal contradicts its category.
# Street-handled leaves without required extra questions (the demo files through the intake rules).
DEMO_APPEALS = {
    "ENV-POL-FUMES": "楼下餐馆油烟直排，家里窗户都不敢开。",
    "NOI-CONS-NIGHT": "附近工地夜间施工到凌晨，影响休息。",
    "TRF-ORDER-BIKE": "人行道上共享单车堆积，轮椅过不去。",
    "SAF-FIRE-LANE": "小区消防通道被私家车堵死，消防车进不来。",
    "ENV-SAN-TRASH": "垃圾桶满了两天没人清运，气味很大。",
    "NOI-LIFE-DANCE": "广场舞音响开得太大，晚上十点后还在跳。",
    "GOV-COMM-DOG": "小区有人遛狗不拴绳，狗粪也不清理。",
    "GOV-COMM-FITNESS": "小区健身器材的单杠断了，孩子差点受伤。",
    "URB-STREET-VENDOR": "地铁口每天傍晚有无照商贩占道摆摊。",
    "HOU-REP-ROOF": "顶楼屋顶下雨就漏，墙皮都泡坏了。",
    "PRK-PUB-ABANDON": "路边一辆落满灰的僵尸车停了半年没人管。",
    "URB-FAC-PAVEMENT": "便道砖翘起好几块，老人走路容易绊倒。",
}

# Extra questions some services ask (Open311 service definition attributes), by leaf code:
# (code, datatype, required, Chinese question, English question, values) where values, for the
# list datatypes, are (key, Chinese, English).
ATTRIBUTES = {
    "HOU-PM-LIFT": (
        ("floor", "number", True, "电梯停在哪一层？", "Which floor is the lift stopped at?", ()),
        ("building", "string", False, "楼号和单元", "Building and entrance", ()),
        ("trapped", "singlevaluelist", True, "有人被困在电梯里吗？", "Is anyone trapped inside?",
         (("no", "没有", "No"), ("yes", "有人被困", "Yes, someone is trapped"))),
    ),
    "PTR-BUS-WAIT": (
        ("line", "string", True, "哪条公交线路？", "Which bus line?", ()),
        ("direction", "singlevaluelist", False, "方向", "Direction",
         (("outbound", "上行", "Outbound"), ("inbound", "下行", "Inbound"))),
        ("stop", "string", False, "在哪一站等车？", "At which stop?", ()),
    ),
    "PTR-BUS-DRIVER": (
        ("line", "string", True, "哪条公交线路？", "Which bus line?", ()),
        ("plate", "string", False, "车牌号", "The bus's number plate", ()),
        ("when", "datetime", False, "什么时候发生的？", "When did it happen?", ()),
    ),
    "UTL-WATER-OUT": (
        ("scope", "singlevaluelist", True, "停水范围", "How far does the outage reach?",
         (("home", "仅我家", "My home only"), ("building", "整栋楼", "The whole building"),
          ("estate", "整个小区", "The whole estate"))),
        ("since", "datetime", False, "什么时候开始停水？", "Since when?", ()),
    ),
    "NOI-CONS-NIGHT": (
        ("hours", "multivaluelist", False, "通常在哪些时段施工？", "At what hours of the night?",
         (("22-24", "22点至24点", "10 pm to midnight"), ("0-2", "0点至2点", "Midnight to 2 am"),
          ("2-6", "2点至6点", "2 am to 6 am"))),
    ),
}


@dataclass(frozen=True)
class AttributeSpec:
    category_code: str
    code: str
    datatype: str
    required: bool
    order: int
    description: str
    description_en: str
    values: tuple = ()


def attributes() -> Iterator[AttributeSpec]:
    for category_code, questions in ATTRIBUTES.items():
        for order, (code, datatype, required, question, question_en, values) in enumerate(questions, start=1):
            yield AttributeSpec(category_code, code, datatype, required, order, question, question_en, values)
