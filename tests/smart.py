"""A small classifier put in service for the tests of smart dispatch, trained on the test city's
categories (tests/conftest.py: noise and title disputes are street matters, water outages the
water utility's), in Chinese and English, with urgent and consultation examples."""
from dispatch.models import ModelVersion
from dispatch.routing import classify
from dispatch.routing.textmodel import TextModel

NOISE, WATER, TITLE = "ENV-NOISE-NB", "UTL-WATER-OUT", "HOU-TITLE"
NOISY = "楼上半夜装修，电钻声吵得孩子睡不着，天天如此"  # a neighbour-noise appeal in words the model learned
EXAMPLES = [  # text, category, kind, urgent
    ("楼上半夜装修，电钻声吵得睡不着", NOISE, "complaint", False),
    ("隔壁KTV每天唱到凌晨两点，太吵了", NOISE, "complaint", False),
    ("广场舞音响声音太大，天天扰民", NOISE, "complaint", False),
    ("邻居家的狗整夜叫个不停，吵得老人睡不着", NOISE, "complaint", False),
    ("The neighbours play loud music every night", NOISE, "complaint", False),
    ("Loud drilling from the flat upstairs at midnight", NOISE, "complaint", False),
    ("楼下商铺大喇叭循环播放，噪音扰民", NOISE, "complaint", False),
    ("夜里工地施工噪声太大，孩子睡不着", NOISE, "complaint", False),
    ("我们小区停水两天了，也没有通知", WATER, "complaint", False),
    ("家里水龙头没水了，整栋楼都停水", WATER, "complaint", False),
    ("No running water in our building since yesterday", WATER, "complaint", False),
    ("突然停水，请问什么时候恢复供水？", WATER, "consultation", False),
    ("The water supply was cut off without any notice", WATER, "complaint", False),
    ("水管爆裂，水喷到配电箱上，随时会漏电，太危险了", WATER, "complaint", True),
    ("楼道水管爆了，水漫到电梯井，有触电危险", WATER, "complaint", True),
    ("A burst water main is flooding the street, cars are sinking, dangerous", WATER, "complaint", True),
    ("房产证办不下来，开发商一直拖着不办", TITLE, "complaint", False),
    ("买房五年了产权证迟迟不给办", TITLE, "complaint", False),
    ("Our property title certificate has not been issued for years", TITLE, "complaint", False),
    ("请问不动产权证书怎么办理？需要什么材料？", TITLE, "consultation", False),
    ("开发商不给办房本，我们业主很着急", TITLE, "complaint", False),
    ("请问房子产权归属有争议该找哪个部门？", TITLE, "consultation", False),
    ("We bought the flat but cannot get the ownership deed", TITLE, "complaint", False),
    ("请问产权登记名字写错了，怎么更正？", TITLE, "consultation", False),
]


def serve_model(examples=EXAMPLES) -> ModelVersion:
    """Train on `examples` and put the model in service (as training and promotion would)."""
    texts, categories, kinds, urgent = zip(*examples, strict=True)
    blob = TextModel(min_df=1).fit(texts, categories, kinds, urgent).dumps()
    ModelVersion.objects.filter(status=ModelVersion.Status.IN_SERVICE).update(status=ModelVersion.Status.RETIRED)
    version = ModelVersion.objects.create(
        status=ModelVersion.Status.IN_SERVICE, trigger="test", data_fingerprint="test", train_size=len(texts),
        heldout_size=0, top1=1.0, top3=1.0, artifact=blob, artifact_bytes=len(blob),
    )
    classify.forget_model()
    return version
