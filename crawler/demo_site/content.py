"""The stories of the demo site, "The Harbour Ledger" of the (made-up) town of Port Wren.

Most pages are clean; some carry what hacked news sites really serve: runs of empty tags with
one random id before `<html>` and inside `<noframes>`, a Simplified-Chinese adult keyword line
after the footer of a Traditional-Chinese article, a hidden link farm, a pharmacy spam
paragraph in the middle of a story, a counterfeit-goods block under a Japanese story.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Story:
    """One article of the demo site; `inject` maps a place in the page to raw HTML put there."""

    path: str
    section: str
    lang: str
    title: str
    author: str
    published: str
    summary: str
    paragraphs: list[str]
    inject: dict[str, str] = field(default_factory=dict)
    """Places: `before-html`, `body-start`, `after-paragraph-N`, `after-article`, `after-footer`, `after-html`."""

    @property
    def contaminated(self) -> bool:
        """True for the stories served with injected junk."""
        return bool(self.inject)


TAG_NOISE_ID = "qhwmz"

TAG_NOISE = "\n".join(
    f'<{outer} id="{TAG_NOISE_ID}"><{inner} id="{TAG_NOISE_ID}"></{inner}></{outer}>'
    for outer, inner in [
        ("var", "strike"),
        ("menuitem", "listing"),
        ("address", "progress"),
        ("kbd", "form"),
        ("th", "progress"),
        ("dfn", "s"),
        ("ul", "center"),
        ("strong", "dl"),
        ("small", "delect"),
        ("b", "abbr"),
        ("del", "form"),
        ("cite", "video"),
    ]
)

NOFRAMES_NOISE = (
    f'<noframes id="{TAG_NOISE_ID}"><listing id="{TAG_NOISE_ID}"><listing id="{TAG_NOISE_ID}"></listing>'
    f'</listing><address id="{TAG_NOISE_ID}"></address><pre id="{TAG_NOISE_ID}"><center id="{TAG_NOISE_ID}">'
    f'</center></pre><var id="{TAG_NOISE_ID}"><menuitem id="{TAG_NOISE_ID}"></menuitem></var></noframes>'
)

ADULT_KEYWORD_LINE = (
    '<div class="kw">国产精品视频在线观看_日韩欧美一区二区三区_亚洲无码av在线播放_久久精品人妻中文字幕_'
    "午夜福利免费视频_婷婷综合激情五月_欧美成人免费观看_精品国产自在现线看久久</div>"
)

LINK_FARM = (
    '<div style="display:none">'
    + " ".join(
        f'<a href="https://{host}/">{text}</a>'
        for host, text in [
            ("vip-casino-bonus.top", "online casino bonus"),
            ("paydayfast-loans.xyz", "payday loans same day"),
            ("replica-watch-outlet.com", "replica rolex watches"),
            ("slots-jackpot-777.net", "free slots jackpot"),
            ("cheap-ugg-boots-sale.com", "cheap ugg boots"),
            ("bet-live-odds.top", "live betting odds"),
            ("essay-writer-cheap.xyz", "write my essay cheap"),
            ("crypto-doubler.biz", "bitcoin doubler"),
            ("followers-boost.top", "buy instagram followers"),
            ("poker-rakeback-club.net", "poker rakeback"),
            ("loan-no-credit-check.xyz", "loans no credit check"),
            ("designer-bags-replica.top", "replica bags"),
        ]
    )
    + "</div>"
)

PHARMA_PARAGRAPH = (
    '<p>Buy cheap <a href="https://rx-discount-meds.top/viagra">viagra online</a> without prescription, '
    'generic <a href="https://rx-discount-meds.top/cialis">cialis 20mg</a> from $0.89 per pill, tramadol '
    'and xanax with overnight delivery, no doctor needed. Best <a href="https://rx-discount-meds.top/">'
    "online pharmacy</a> prices, discreet packaging, 100% satisfaction guaranteed, order now and save 80%!</p>"
)

COUNTERFEIT_BLOCK = (
    '<div class="recommend"><p>スーパーコピー時計N級品激安通販専門店！ロレックス スーパーコピー、'
    "ルイヴィトン コピー財布、シャネル コピーバッグ、エルメス コピー 代引き対応・送料無料・全国一律。"
    '<a href="https://super-copy-brand.top/">ブランドコピー激安</a> '
    '<a href="https://n-kyu-watch.top/">ウブロ スーパーコピー</a> '
    '<a href="https://copy-bag-shop.top/">グッチ 偽物 通販</a></p></div>'
)

STORIES = [
    Story(
        path="/news/2025/03/ferry-timetable.html",
        section="news",
        lang="en",
        title="Council approves year-round ferry timetable for Port Wren",
        author="Alys Penhallow",
        published="2025-03-12",
        summary="Islanders will keep a daily crossing through the winter for the first time since 2009.",
        paragraphs=[
            "Port Wren council voted on Tuesday evening to keep the island ferry running every day of the "
            "year, ending a winter timetable that has cut the service to three crossings a week since 2009.",
            "The new timetable starts in October. The first boat will leave the harbour at 7.10am so that "
            "island pupils can reach the secondary school before registration, and the last return sailing "
            "moves from 5pm to 6.30pm on weekdays.",
            "Councillor Dewi Marsh, who chairs the transport committee, said the change had been requested "
            "in almost every one of the 412 responses to last summer's consultation. \"People told us they "
            'could not take a job on the mainland if the boat only ran three days a week," he said.',
            "The extra winter sailings will cost about £180,000 a year. Half of that will come from the "
            "regional transport grant, and the rest from a 40p rise in the adult single fare. Fares for "
            "children, pensioners and island residents with a ferry card will not change.",
            "The operator, Wren Sound Ferries, has agreed to move its second boat from Falhaven for the "
            "winter months. Engineers will fit it with a new ramp in September so that it can use the "
            "harbour's lower slipway at low tide.",
            "The harbour master, Ruth Carne, warned that a few crossings may still be cancelled in storms. "
            '"We will never sail if the swell is over two metres at the bar," she said, "but a cancelled '
            'boat is better than no boat at all."',
        ],
    ),
    Story(
        path="/news/2025/03/map-room.html",
        section="news",
        lang="en",
        title="Library reopens its restored map room after two-year repair",
        author="Tomos Brannock",
        published="2025-03-27",
        summary="Damp had damaged the roof of the 1887 reading room and hundreds of charts in its drawers.",
        paragraphs=[
            "The map room at Port Wren Library opened to readers again on Saturday, two years after a "
            "leaking roof forced staff to move its collection of charts and estate plans into storage.",
            "The room was built in 1887 as a gift from the shipowner Josiah Treloar, whose family had "
            "collected Admiralty charts of the western approaches for three generations. Its oak drawers "
            "hold more than 2,300 sheets, the oldest a survey of the harbour mouth drawn in 1741.",
            "Conservators found mould on about a fifth of the charts. Each sheet was cleaned by hand, dried "
            "slowly over several weeks and stored in acid-free folders. The worst damaged, a coloured plan "
            "of the old pilchard cellars, has been lined with Japanese tissue so that it can be handled.",
            "The repair cost £640,000, most of it raised by a heritage lottery grant. Local people gave "
            "another £38,000 in a year-long appeal, and the library's friends' group paid for new lighting "
            "that keeps ultraviolet light away from the drawers.",
            'Librarian Megan Rowe said the room would now open four days a week. "Fishermen still come in '
            'to look at the old soundings," she said. "Some of these charts show rocks that are not on '
            'any modern map."',
        ],
    ),
    Story(
        path="/news/2025/04/herring-season.html",
        section="news",
        lang="en",
        title="Herring landings reach a ten-year high",
        author="Alys Penhallow",
        published="2025-04-08",
        summary="The fleet landed 1,900 tonnes this winter, and prices held up at the quay auction.",
        paragraphs=[
            "Port Wren's small fleet of drift-netters landed almost 1,900 tonnes of herring between "
            "November and March, the best winter season since 2015, according to figures from the harbour "
            "authority.",
            "Skippers put the catch down to colder water in the bay and to the closure of the spawning "
            "grounds off Gull Point for six weeks in 2022, which scientists say allowed a strong year class "
            "to survive.",
            "Prices at the quay auction stayed between 60p and 85p a kilogram for most of the season. Buyers "
            "from two smokehouses in the town took about a third of the landings; the rest went by lorry "
            "to processors on the east coast.",
            '"It is the first year in a long time that the younger crews have made proper money," said '
            'Jory Tamblyn, who has fished out of Port Wren for 31 years. "Fuel is still dear, but you can '
            'live with that when the nets come up full."',
            "The fisheries office will decide in May whether the Gull Point closure becomes permanent. A "
            "public meeting on the proposal will be held at the harbour office on 22 April.",
        ],
    ),
    Story(
        path="/news/2025/04/dune-cleanup.html",
        section="news",
        lang="en",
        title="Volunteers pull two tonnes of litter from the north dunes",
        author="Cerys Odgers",
        published="2025-04-19",
        summary="More than 150 people spent Saturday morning on the beach between the lighthouse and the river.",
        paragraphs=[
            "More than 150 volunteers cleared almost two tonnes of rubbish from the dunes north of Port "
            "Wren on Saturday, in the largest beach clean the town has organised.",
            "Most of what they found was plastic: drinks bottles, rope and pieces of fishing net, along "
            "with a shopping trolley, two car tyres and part of a fibreglass boat that is thought to have "
            "washed up in the February storms.",
            "The clean was organised by the Wren Dunes Trust, which looks after the sand hills and the rare "
            "plants that grow on them. Its warden, Hywel Jago, said the litter had been building up since "
            "the autumn because the storms buried much of it in the sand.",
            "Pupils from Harbour Primary sorted the plastic into bags for recycling, and a local haulage "
            "firm lent a lorry to take the heavier items to the tip. The council has agreed to empty the "
            "bins at the dune car park twice a week through the summer.",
            "The trust plans another clean in September and is asking for volunteers who can help with "
            "the smaller coves south of the harbour, which are only reachable on foot.",
        ],
    ),
    Story(
        path="/news/2025/04/school-roof.html",
        section="news",
        lang="en",
        title="Harbour Primary roof repairs finished ahead of the summer term",
        author="Tomos Brannock",
        published="2025-04-24",
        summary="Pupils return to dry classrooms after builders replaced the slate roof over the Easter break.",
        paragraphs=[
            "Builders have finished replacing the roof of Harbour Primary School, which had leaked into "
            "two classrooms and the school hall since the storms in February.",
            "The work took three weeks over the Easter holiday. Roofers stripped the old slates, replaced "
            "rotten timbers in the valley between the two wings of the building and laid new Welsh slate "
            "with copper flashing around the bell tower.",
            'Head teacher Nia Trevithick said pupils and staff had been patient. "We had buckets in the '
            'hall for two months," she said. "It is lovely to start the summer term in a dry building."',
            "The county council paid for the repairs from its emergency maintenance budget. The final bill "
            "of £212,000 was about £15,000 less than the estimate because most of the old slates could be "
            "sold to a reclamation yard.",
        ],
        inject={"after-article": LINK_FARM},
    ),
    Story(
        path="/news/2025/05/marathon.html",
        section="news",
        lang="en",
        title="Harbour marathon raises a record sum for the lifeboat station",
        author="Cerys Odgers",
        published="2025-05-05",
        summary="Runners raised £46,000 for a new boathouse door and crew training.",
        paragraphs=[
            "The eleventh Port Wren Harbour Marathon raised more than £46,000 for the town's lifeboat "
            "station on Sunday, the largest sum in the race's history.",
            "Some 820 runners set off from the quay at 9am, following the coast path to Gull Point before "
            "turning inland through the lanes and back along the river. The winner, Kieran Polglase of "
            "Falhaven, finished in two hours and 31 minutes.",
            "Crew members ran the last mile in full kit, carrying a stretcher between them, and were "
            "cheered along the harbour wall by hundreds of spectators.",
            "The money will pay for a new door for the boathouse, which has been damaged by spring tides, "
            "and for two crew members to attend a helmsman's course at the national training college.",
            "The race committee thanked the 90 volunteers who marshalled the route and ran the water "
            "stations. Entries for next year's race open in January.",
        ],
        inject={"after-paragraph-2": PHARMA_PARAGRAPH},
    ),
    Story(
        path="/world/2025/05/keelung-sister-port.html",
        section="world",
        lang="zh-Hant",
        title="基隆港與本港簽署姊妹港合作備忘錄",
        author="林怡君",
        published="2025-05-09",
        summary="兩港將在漁業、觀光與港口安全方面交流，明年起互派實習生。",
        paragraphs=[
            "基隆港務分公司代表團本週訪問本港，並與港務局簽署姊妹港合作備忘錄，雙方將在漁業管理、"
            "郵輪觀光與港口安全三個方面展開交流。",
            "代表團一行十二人參觀了本港的魚市拍賣、救生艇站與新建的渡輪碼頭。基隆港務分公司副總經理"
            "陳建宏表示，兩地都是以漁業起家的港口，面對的問題也很相似，例如冬季風浪、漁獲減少與老舊"
            "碼頭的維修。",
            "根據備忘錄，兩港明年起每年互派兩名實習生，學習對方的港口調度與海上救援訓練。雙方也同意"
            "分享郵輪旅客的統計資料，協助規劃旅遊旺季的交通與接駁。",
            "港務局長露絲・卡恩說，基隆港在處理颱風期間船隻避風方面經驗豐富，值得本港學習。"
            "「我們的冬季風暴越來越頻繁，能向有經驗的同行請教，對我們非常重要。」",
            "代表團離開前還參加了本地小學的文化交流活動，學生們以中英文介紹港口歷史，並互贈手繪地圖。",
        ],
    ),
    Story(
        path="/world/2025/05/nantou-tea.html",
        section="world",
        lang="zh-Hant",
        title="南投茶農來訪分享春茶豐收經驗",
        author="林怡君",
        published="2025-05-16",
        summary="鹿谷鄉茶農在本地市集示範烘焙烏龍茶，吸引數百名民眾排隊試飲。",
        paragraphs=[
            "來自南投縣鹿谷鄉的五位茶農上週末在本港市集舉辦烏龍茶示範活動，分享今年春茶豐收的經驗，"
            "吸引數百名民眾排隊試飲。",
            "茶農張文德表示，今年春天雨量平均、日夜溫差大，茶葉生長緩慢但香氣濃郁，產量比去年增加"
            "約兩成。他現場以炭火示範焙茶，說明火候對茶湯顏色與香氣的影響。",
            "活動由本地茶行與台灣貿易辦事處共同主辦。主辦單位表示，近年來本地對台灣高山茶的興趣明顯"
            "提高，茶行的烏龍茶銷量在三年內成長了一倍。",
            "不少民眾第一次看到傳統的焙茶方式。退休漁民瓊斯先生說：「我喝了一輩子紅茶，沒想到烏龍茶"
            "可以這麼香，回家一定要試試看。」",
            "茶農們離開前將一批茶苗送給本地的社區花園，希望將來能在港邊的山坡上試種。",
        ],
        inject={"before-html": TAG_NOISE, "body-start": NOFRAMES_NOISE, "after-footer": ADULT_KEYWORD_LINE},
    ),
    Story(
        path="/world/2025/05/sendai-exchange.html",
        section="world",
        lang="ja",
        title="仙台の高校生がポート・レンを訪問、漁港で交流",
        author="佐藤美咲",
        published="2025-05-21",
        summary="姉妹都市交流の一環として、高校生十五人が一週間滞在した。",
        paragraphs=[
            "姉妹都市交流の一環として、仙台市の高校生十五人が先週、ポート・レンを訪れ、地元の学校や"
            "漁港で一週間を過ごした。",
            "生徒たちはホームステイをしながら地元の中等学校の授業に参加し、英語で日本の震災復興について"
            "発表した。発表を聞いた地元の生徒からは、津波の後に漁港がどのように再建されたのかについて"
            "多くの質問が出た。",
            "滞在中には救命艇基地の見学や、早朝の魚市場での競りの見学も行われた。引率の高橋健一教諭は"
            "「同じ港町として共通点が多く、生徒たちにとって貴重な経験になった」と話した。",
            "来年の夏には、ポート・レンの生徒十人が仙台を訪問する予定で、地元の交流協会が旅費の一部を"
            "支援するための募金活動を始めている。",
        ],
    ),
    Story(
        path="/world/2025/06/kyoto-lanterns.html",
        section="world",
        lang="ja",
        title="京都の提灯職人が港祭りで実演",
        author="佐藤美咲",
        published="2025-06-02",
        summary="百年以上続く工房の四代目が、竹ひごと和紙で提灯を作る工程を紹介した。",
        paragraphs=[
            "京都で百年以上続く提灯工房の四代目、小川誠さんが週末の港祭りに招かれ、伝統的な提灯作りを実演した。",
            "小川さんは細く割った竹ひごを型に巻き付け、和紙を一枚ずつ貼っていく工程を説明した。"
            "完成した提灯に家紋や文字を手描きする作業には、熟練の職人でも一日かかることがあるという。",
            "会場には子どもたちのための体験コーナーも設けられ、参加者は小さな提灯に自分の名前を書いて"
            "持ち帰った。祭りの最終日の夜には、百個の提灯が港沿いの遊歩道に飾られた。",
            "小川さんは「海辺の町で提灯の明かりが水面に映る景色は、京都の川床を思い出させる」と話し、"
            "来年も祭りに参加したいと語った。",
        ],
        inject={"after-article": COUNTERFEIT_BLOCK},
    ),
]

DELETED_STORY = "/news/2025/02/pier-lights.html"
"""Linked from the news page but gone from the server: the crawl records it as a 404."""

TIMETABLE_PDF = "/files/ferry-timetable-2025.pdf"
"""Listed in the sitemap; a PDF, so the crawl records it as not HTML."""
