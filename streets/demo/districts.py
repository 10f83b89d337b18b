"""The demo city's districts, streets and communities: real Beijing names on a made-up map.

The geometry is generated, not surveyed. The city rectangle is cut into four rows of four
district rectangles (each row cut at its own longitudes, so the small central districts stay
small), and each district into rows of cells, one cell per street. Every edge is computed in
integer micro-degrees, so neighbouring cells share identical coordinates and shapely sees a clean
tiling: no gaps, no overlaps.

Address aliases are made from each street's name (e.g. 望京 -> 望京西路) plus a few real roads, and
picked so that no alias is a substring of another street's alias or name: the address matcher
takes the longest alias found in a written address, so a shared substring would misroute.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache

MICRO = 1_000_000  # coordinates are integer micro-degrees until written out
CITY_BOUNDS = (115_700_000, 39_500_000, 117_300_000, 40_900_000)  # west, south, east, north

# code, Chinese, English. The order follows the usual listing of Beijing's districts.
DISTRICTS: tuple[tuple[str, str, str], ...] = (
    ("D01", "东城区", "Dongcheng District"),
    ("D02", "西城区", "Xicheng District"),
    ("D03", "朝阳区", "Chaoyang District"),
    ("D04", "海淀区", "Haidian District"),
    ("D05", "丰台区", "Fengtai District"),
    ("D06", "石景山区", "Shijingshan District"),
    ("D07", "门头沟区", "Mentougou District"),
    ("D08", "房山区", "Fangshan District"),
    ("D09", "通州区", "Tongzhou District"),
    ("D10", "顺义区", "Shunyi District"),
    ("D11", "昌平区", "Changping District"),
    ("D12", "大兴区", "Daxing District"),
    ("D13", "怀柔区", "Huairou District"),
    ("D14", "平谷区", "Pinggu District"),
    ("D15", "密云区", "Miyun District"),
    ("D16", "延庆区", "Yanqing District"),
)

# Former names residents still write: the districts merged in 2010 (崇文, 宣武) and the counties
# that became districts (通县, 密云县...).
DISTRICT_ALIASES: dict[str, tuple[str, ...]] = {
    "D01": ("崇文区", "Chongwen District"), "D02": ("宣武区", "Xuanwu District"),
    "D09": ("通县", "通州县", "Tong County"), "D10": ("顺义县",), "D11": ("昌平县",), "D12": ("大兴县",),
    "D13": ("怀柔县",), "D14": ("平谷县",), "D15": ("密云县", "Miyun County"), "D16": ("延庆县", "Yanqing County"),
}

# Rows of district rectangles, south to north: (south, north, [(district, east edge), ...]).
# Each row starts at the city's west edge; the central row keeps 西城/东城 narrow and puts
# Tiananmen (116.3975, 39.9087) inside 东城区.
DISTRICT_ROWS: tuple[tuple[int, int, tuple[tuple[str, int], ...]], ...] = (
    (39_500_000, 39_830_000, (("D08", 116_100_000), ("D05", 116_500_000), ("D12", 116_900_000),
                              ("D09", 117_300_000))),
    (39_830_000, 40_190_000, (("D06", 116_100_000), ("D02", 116_360_000), ("D01", 116_600_000),
                              ("D03", 117_300_000))),
    (40_190_000, 40_550_000, (("D07", 116_100_000), ("D04", 116_500_000), ("D10", 116_900_000),
                              ("D14", 117_300_000))),
    (40_550_000, 40_900_000, (("D16", 116_100_000), ("D11", 116_500_000), ("D13", 116_900_000),
                              ("D15", 117_300_000))),
)

# "Chinese name|English stem". The suffix decides the kind: 街道 -> Subdistrict, 镇 -> Town,
# 乡 -> Township (is_township for both). The six central districts have only 街道.
STREET_NAMES: dict[str, tuple[str, ...]] = {
    "D01": (
        "景山街道|Jingshan", "交道口街道|Jiaodaokou", "安定门街道|Andingmen",
        "北新桥街道|Beixinqiao", "东四街道|Dongsi", "朝阳门街道|Chaoyangmen",
        "建国门街道|Jianguomen", "东直门街道|Dongzhimen", "和平里街道|Hepingli",
        "前门街道|Qianmen", "崇文门外街道|Chongwenmenwai", "东花市街道|Donghuashi",
        "东华门街道|Donghuamen", "龙潭街道|Longtan", "体育馆路街道|Tiyuguanlu", "天坛街道|Tiantan",
        "永定门外街道|Yongdingmenwai",
    ),
    "D02": (
        "西长安街街道|Xichang'anjie", "新街口街道|Xinjiekou", "月坛街道|Yuetan",
        "展览路街道|Zhanlanlu", "德胜街道|Desheng", "金融街街道|Jinrongjie", "什刹海街道|Shichahai",
        "大栅栏街道|Dashilan", "天桥街道|Tianqiao", "椿树街道|Chunshu", "陶然亭街道|Taoranting",
        "广安门内街道|Guang'anmennei", "牛街街道|Niujie", "白纸坊街道|Baizhifang",
        "广安门外街道|Guang'anmenwai",
    ),
    "D03": (
        "建外街道|Jianwai", "朝外街道|Chaowai", "呼家楼街道|Hujialou", "三里屯街道|Sanlitun",
        "左家庄街道|Zuojiazhuang", "香河园街道|Xiangheyuan", "和平街街道|Hepingjie",
        "安贞街道|Anzhen", "亚运村街道|Yayuncun", "小关街道|Xiaoguan", "酒仙桥街道|Jiuxianqiao",
        "麦子店街道|Maizidian", "团结湖街道|Tuanjiehu", "六里屯街道|Liulitun",
        "八里庄街道|Balizhuang", "双井街道|Shuangjing", "劲松街道|Jinsong",
        "潘家园街道|Panjiayuan", "垡头街道|Fatou", "首都机场街道|Capital Airport",
        "南磨房街道|Nanmofang", "高碑店街道|Gaobeidian", "将台街道|Jiangtai",
        "太阳宫街道|Taiyanggong", "大屯街道|Datun", "望京街道|Wangjing", "小红门街道|Xiaohongmen",
        "十八里店街道|Shibalidian", "平房街道|Pingfang", "东风街道|Dongfeng",
        "奥运村街道|Aoyuncun", "来广营街道|Laiguangying", "常营街道|Changying",
        "三间房街道|Sanjianfang", "管庄街道|Guanzhuang", "金盏街道|Jinzhan", "孙河街道|Sunhe",
        "崔各庄街道|Cuigezhuang", "东坝街道|Dongba", "黑庄户街道|Heizhuanghu",
        "豆各庄街道|Dougezhuang", "王四营街道|Wangsiying", "东湖街道|Donghu",
    ),
    "D04": (
        "万寿路街道|Wanshoulu", "永定路街道|Yongdinglu", "羊坊店街道|Yangfangdian",
        "甘家口街道|Ganjiakou", "紫竹院街道|Zizhuyuan", "北下关街道|Beixiaguan",
        "北太平庄街道|Beitaipingzhuang", "学院路街道|Xueyuanlu", "中关村街道|Zhongguancun",
        "海淀街道|Haidian", "青龙桥街道|Qinglongqiao", "清华园街道|Qinghuayuan",
        "燕园街道|Yanyuan", "香山街道|Xiangshan", "清河街道|Qinghe", "花园路街道|Huayuanlu",
        "西三旗街道|Xisanqi", "马连洼街道|Malianwa", "田村路街道|Tiancunlu", "上地街道|Shangdi",
        "万柳街道|Wanliu", "东升街道|Dongsheng", "曙光街道|Shuguang", "温泉街道|Wenquan",
        "四季青街道|Sijiqing", "西北旺街道|Xibeiwang", "苏家坨街道|Sujiatuo",
        "上庄街道|Shangzhuang", "玉渊潭街道|Yuyuantan",
    ),
    "D05": (
        "右安门街道|You'anmen", "太平桥街道|Taipingqiao", "西罗园街道|Xiluoyuan",
        "大红门街道|Dahongmen", "南苑街道|Nanyuan", "东高地街道|Donggaodi",
        "东铁匠营街道|Dongtiejiangying", "六里桥街道|Liuliqiao", "丰台街道|Fengtai",
        "新村街道|Xincun", "长辛店街道|Changxindian", "云岗街道|Yungang", "方庄街道|Fangzhuang",
        "宛平街道|Wanping", "马家堡街道|Majiapu", "和义街道|Heyi", "卢沟桥街道|Lugouqiao",
        "花乡街道|Huaxiang", "成寿寺街道|Chengshousi", "石榴庄街道|Shiliuzhuang",
        "玉泉营街道|Yuquanying", "看丹街道|Kandan", "五里店街道|Wulidian", "青塔街道|Qingta",
        "北宫街道|Beigong", "王佐街道|Wangzuo",
    ),
    "D06": (
        "八宝山街道|Babaoshan", "老山街道|Laoshan", "八角街道|Bajiao", "古城街道|Gucheng",
        "苹果园街道|Pingguoyuan", "金顶街街道|Jindingjie", "广宁街道|Guangning",
        "五里坨街道|Wulituo", "鲁谷街道|Lugu",
    ),
    "D07": (
        "大峪街道|Dayu", "城子街道|Chengzi", "东辛房街道|Dongxinfang", "大台街道|Datai",
        "潭柘寺镇|Tanzhesi", "永定镇|Yongding", "龙泉镇|Longquan", "军庄镇|Junzhuang",
        "妙峰山镇|Miaofengshan", "王平镇|Wangping", "雁翅镇|Yanchi", "斋堂镇|Zhaitang",
        "清水镇|Qingshui",
    ),
    "D08": (
        "城关街道|Chengguan", "新镇街道|Xinzhen", "向阳街道|Xiangyang", "拱辰街道|Gongchen",
        "西潞街道|Xilu", "迎风街道|Yingfeng", "星城街道|Xingcheng", "燕山街道|Yanshan",
        "长阳镇|Changyang", "阎村镇|Yancun", "窦店镇|Doudian", "石楼镇|Shilou",
        "琉璃河镇|Liulihe", "良乡镇|Liangxiang", "青龙湖镇|Qinglonghu", "周口店镇|Zhoukoudian",
        "韩村河镇|Hancunhe", "河北镇|Hebei", "长沟镇|Changgou", "大石窝镇|Dashiwo",
        "张坊镇|Zhangfang", "十渡镇|Shidu", "蒲洼乡|Puwa", "佛子庄乡|Fozizhuang",
        "大安山乡|Da'anshan", "史家营乡|Shijiaying", "霞云岭乡|Xiayunling", "南窖乡|Nanjiao",
    ),
    "D09": (
        "中仓街道|Zhongcang", "新华街道|Xinhua", "北苑街道|Beiyuan", "玉桥街道|Yuqiao",
        "潞源街道|Luyuan", "通运街道|Tongyun", "文景街道|Wenjing", "九棵树街道|Jiukeshu",
        "临河里街道|Linheli", "杨庄街道|Yangzhuang", "潞邑街道|Luyi", "永顺镇|Yongshun",
        "梨园镇|Liyuan", "宋庄镇|Songzhuang", "张家湾镇|Zhangjiawan", "漷县镇|Huoxian",
        "马驹桥镇|Majuqiao", "西集镇|Xiji", "台湖镇|Taihu", "永乐店镇|Yongledian",
        "潞城镇|Lucheng", "于家务回族乡|Yujiawu Hui Ethnic",
    ),
    "D10": (
        "胜利街道|Shengli", "光明街道|Guangming", "石园街道|Shiyuan", "空港街道|Konggang",
        "双丰街道|Shuangfeng", "旺泉街道|Wangquan", "仁和镇|Renhe", "后沙峪镇|Houshayu",
        "天竺镇|Tianzhu", "杨镇|Yangzhen", "牛栏山镇|Niulanshan", "南法信镇|Nanfaxin",
        "马坡镇|Mapo", "李桥镇|Liqiao", "李遂镇|Lisui", "南彩镇|Nancai", "北务镇|Beiwu",
        "大孙各庄镇|Dasungezhuang", "张镇|Zhangzhen", "龙湾屯镇|Longwantun", "木林镇|Mulin",
        "北小营镇|Beixiaoying", "北石槽镇|Beishicao", "赵全营镇|Zhaoquanying",
        "高丽营镇|Gaoliying",
    ),
    "D11": (
        "城北街道|Chengbei", "城南街道|Chengnan", "天通苑北街道|Tiantongyuan North",
        "天通苑南街道|Tiantongyuan South", "霍营街道|Huoying", "回龙观街道|Huilongguan",
        "龙泽园街道|Longzeyuan", "史各庄街道|Shigezhuang", "南口镇|Nankou", "马池口镇|Machikou",
        "沙河镇|Shahe", "阳坊镇|Yangfang", "小汤山镇|Xiaotangshan", "南邵镇|Nanshao",
        "崔村镇|Cuicun", "百善镇|Baishan", "北七家镇|Beiqijia", "兴寿镇|Xingshou",
        "流村镇|Liucun", "十三陵镇|Shisanling", "延寿镇|Yanshou", "东小口镇|Dongxiaokou",
    ),
    "D12": (
        "兴丰街道|Xingfeng", "林校路街道|Linxiaolu", "清源街道|Qingyuan", "观音寺街道|Guanyinsi",
        "天宫院街道|Tiangongyuan", "高米店街道|Gaomidian", "荣华街道|Ronghua", "博兴街道|Boxing",
        "亦庄镇|Yizhuang", "黄村镇|Huangcun", "旧宫镇|Jiugong", "西红门镇|Xihongmen",
        "瀛海镇|Yinghai", "青云店镇|Qingyundian", "采育镇|Caiyu", "安定镇|Anding",
        "礼贤镇|Lixian", "榆垡镇|Yufa", "庞各庄镇|Panggezhuang", "北臧村镇|Beizangcun",
        "魏善庄镇|Weishanzhuang", "长子营镇|Changziying",
    ),
    "D13": (
        "泉河街道|Quanhe", "龙山街道|Longshan", "怀柔镇|Huairou", "雁栖镇|Yanqi",
        "庙城镇|Miaocheng", "北房镇|Beifang", "杨宋镇|Yangsong", "桥梓镇|Qiaozi",
        "怀北镇|Huaibei", "汤河口镇|Tanghekou", "渤海镇|Bohai", "九渡河镇|Jiuduhe",
        "琉璃庙镇|Liulimiao", "宝山镇|Baoshan", "长哨营满族乡|Changshaoying Manchu Ethnic",
        "喇叭沟门满族乡|Labagoumen Manchu Ethnic",
    ),
    "D14": (
        "滨河街道|Binhe", "兴谷街道|Xinggu", "平谷镇|Pinggu", "峪口镇|Yukou", "马坊镇|Mafang",
        "金海湖镇|Jinhaihu", "东高村镇|Donggaocun", "山东庄镇|Shandongzhuang",
        "南独乐河镇|Nandulehe", "大华山镇|Dahuashan", "夏各庄镇|Xiagezhuang",
        "马昌营镇|Machangying", "王辛庄镇|Wangxinzhuang", "大兴庄镇|Daxingzhuang",
        "刘家店镇|Liujiadian", "镇罗营镇|Zhenluoying", "熊儿寨乡|Xiong'erzhai",
        "黄松峪乡|Huangsongyu",
    ),
    "D15": (
        "鼓楼街道|Gulou", "果园街道|Guoyuan", "檀营满族蒙古族乡|Tanying Manchu-Mongol Ethnic",
        "密云镇|Miyun", "溪翁庄镇|Xiwengzhuang", "西田各庄镇|Xitiangezhuang",
        "十里堡镇|Shilipu", "河南寨镇|Henanzhai", "巨各庄镇|Jugezhuang", "穆家峪镇|Mujiayu",
        "太师屯镇|Taishitun", "高岭镇|Gaoling", "不老屯镇|Bulaotun", "冯家峪镇|Fengjiayu",
        "古北口镇|Gubeikou", "大城子镇|Dachengzi", "东邵渠镇|Dongshaoqu", "北庄镇|Beizhuang",
        "新城子镇|Xinchengzi", "石城镇|Shicheng",
    ),
    "D16": (
        "儒林街道|Rulin", "百泉街道|Baiquan", "香水园街道|Xiangshuiyuan", "延庆镇|Yanqing",
        "康庄镇|Kangzhuang", "八达岭镇|Badaling", "永宁镇|Yongning", "旧县镇|Jiuxian",
        "张山营镇|Zhangshanying", "四海镇|Sihai", "千家店镇|Qianjiadian", "沈家营镇|Shenjiaying",
        "大榆树镇|Dayushu", "井庄镇|Jingzhuang", "刘斌堡乡|Liubinpu",
    ),
}

# Real roads and places for a few well-known streets; the rest get aliases made from the name.
ALIAS_OVERRIDES: dict[str, tuple[str, ...]] = {
    "东华门街道": ("王府井大街", "南池子大街", "东华门大街"),
    "建国门街道": ("建国门内大街", "东单北大街"),
    "前门街道": ("前门大街", "鲜鱼口"),
    "天坛街道": ("天坛东路", "金鱼池"),
    "金融街街道": ("金融大街", "武定侯街"),
    "什刹海街道": ("地安门外大街", "烟袋斜街", "后海北沿"),
    "建外街道": ("建国路", "光华里", "国贸"),
    "三里屯街道": ("三里屯路", "工人体育场北路"),
    "望京街道": ("望京西路", "阜通东大街", "广顺南大街"),
    "中关村街道": ("中关村大街", "科学院南路", "海淀黄庄"),
    "学院路街道": ("学院路", "成府路"),
    "回龙观街道": ("回龙观西大街", "龙锦苑"),
}

# Suffixes that turn a street's stem into a plausible local place name.
ALIAS_SUFFIXES = ("路", "北里", "南里", "东路", "西里", "大街", "家园", "北路", "小区", "东里",
                  "南路", "花园", "中路", "西路", "公园", "新村")
_ETHNIC = ("满族蒙古族", "满族", "回族")


@dataclass(frozen=True)
class StreetSpec:
    code: str
    district_code: str
    name: str
    name_en: str
    is_township: bool
    boundary: dict
    aliases: tuple[str, ...]
    communities: tuple[tuple[str, str, str], ...]  # (code, name, name_en)


def _kind(name: str) -> tuple[str, str]:
    """(Chinese suffix, English suffix) of a street name."""
    if name.endswith("街道"):
        return "街道", "Subdistrict"
    if name.endswith("镇"):
        return "镇", "Town"
    if name.endswith("乡"):
        return "乡", "Township"
    raise ValueError(f"{name}: a street name must end in 街道, 镇 or 乡")


def stem(name: str) -> str:
    """The place part of a street name: 望京街道 -> 望京, 于家务回族乡 -> 于家务, 杨镇 -> 杨镇."""
    suffix, _ = _kind(name)
    core = name.removesuffix(suffix)
    for ethnic in _ETHNIC:
        core = core.removesuffix(ethnic)
    return core if len(core) >= 2 else name


def _polygon(west: int, south: int, east: int, north: int) -> dict:
    ring = [(west, south), (east, south), (east, north), (west, north), (west, south)]
    return {"type": "Polygon", "coordinates": [[[lng / MICRO, lat / MICRO] for lng, lat in ring]]}


def district_rectangles() -> dict[str, tuple[int, int, int, int]]:
    """District code -> (west, south, east, north) in micro-degrees."""
    rects = {}
    for south, north, cells in DISTRICT_ROWS:
        west = CITY_BOUNDS[0]
        for code, east in cells:
            rects[code] = (west, south, east, north)
            west = east
    return rects


def split_rectangle(rect: tuple[int, int, int, int], count: int) -> list[tuple[int, int, int, int]]:
    """Cut a rectangle into `count` cells: rows of near-square cells (a degree of longitude is about
    0.77 of a degree of latitude here), listed north to south, west to east."""
    west, south, east, north = rect
    aspect = (east - west) * math.cos(math.radians(40)) / (north - south)
    rows = min(count, max(1, round(math.sqrt(count / aspect))))
    cells = []
    for row in range(rows):
        columns = count // rows + (1 if row < count % rows else 0)
        top = north - (north - south) * row // rows
        bottom = north - (north - south) * (row + 1) // rows
        for column in range(columns):
            left = west + (east - west) * column // columns
            right = west + (east - west) * (column + 1) // columns
            cells.append((left, bottom, right, top))
    return cells


def _alias_clashes(candidate: str, owner: str, names: dict[str, str], taken: dict[str, str]) -> bool:
    """True when the candidate and another street's name or alias contain one another."""
    for other, other_owner in (*names.items(), *taken.items()):
        if other_owner != owner and (candidate in other or other in candidate):
            return True
    return False


def make_aliases(street_names: list[str]) -> dict[str, tuple[str, ...]]:
    """Street name -> 2 or 3 aliases, none a substring of (or containing) another street's name or
    alias. Deterministic: the overrides first, then suffixes tried in a rotating order."""
    names = {name: name for name in street_names}
    taken: dict[str, str] = {}
    result: dict[str, tuple[str, ...]] = {}
    for name in street_names:
        for alias in ALIAS_OVERRIDES.get(name, ()):
            if _alias_clashes(alias, name, names, taken):
                raise ValueError(f"alias {alias} of {name} clashes with another street")
            taken[alias] = name
        result[name] = ALIAS_OVERRIDES.get(name, ())
    for index, name in enumerate(street_names):
        if name in ALIAS_OVERRIDES:
            continue
        base, wanted, picked = stem(name), 3 if index % 3 == 0 else 2, []
        for step in range(len(ALIAS_SUFFIXES)):
            suffix = ALIAS_SUFFIXES[(index * 5 + step) % len(ALIAS_SUFFIXES)]
            if base[-1] in (suffix[0], suffix[-1]):
                continue  # 马驹桥+桥, 临河里+北里: awkward doubles
            candidate = base + suffix
            if not _alias_clashes(candidate, name, names, taken):
                taken[candidate] = name
                picked.append(candidate)
                if len(picked) == wanted:
                    break
        if len(picked) < 2:
            raise ValueError(f"could not find two unique aliases for {name}")
        result[name] = tuple(picked)
    return result


def _communities(code: str, name: str, name_en_stem: str) -> tuple[tuple[str, str, str], ...]:
    """Three communities: 社区 under a subdistrict, villages (村) under a town or township."""
    place = stem(name)
    if name.endswith("街道"):
        parts = (("东里社区", "Dongli Community"), ("西里社区", "Xili Community"),
                 ("中心社区", "Central Community"))
    else:
        parts = (("东村", "East Village"), ("西村", "West Village"), ("南村", "South Village"))
    english = re.sub(r" \S+ Ethnic$", "", name_en_stem)  # Yujiawu Hui Ethnic -> Yujiawu
    return tuple(
        (f"{code}-C{number}", place + zh, f"{english} {en}")
        for number, (zh, en) in enumerate(parts, start=1)
    )


@cache
def streets() -> tuple[StreetSpec, ...]:
    """Every street of the demo city, in code order."""
    rects = district_rectangles()
    entries = [(d, *item.split("|")) for d, _, _ in DISTRICTS for item in STREET_NAMES[d]]
    aliases = make_aliases([name for _, name, _ in entries])
    specs = []
    for district_code, _, _ in DISTRICTS:
        own = [(name, en) for d, name, en in entries if d == district_code]
        cells = split_rectangle(rects[district_code], len(own))
        for number, ((name, en), cell) in enumerate(zip(own, cells, strict=True), start=1):
            code = f"{district_code}-S{number:03d}"
            suffix, en_suffix = _kind(name)
            specs.append(StreetSpec(
                code=code,
                district_code=district_code,
                name=name,
                name_en=f"{en} {en_suffix}",
                is_township=suffix != "街道",
                boundary=_polygon(*cell),
                aliases=aliases[name],
                communities=_communities(code, name, en),
            ))
    return tuple(specs)
