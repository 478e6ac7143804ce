"""The demo's fixed content: brief types, the issue taxonomy, experts and the topics briefs are
written about. All of it is invented for Dossier; the institute (the "Northgate Institute") and
every person, report and publication named here are fictional.

Rich text is written already clean (it passes ``sanitize_html`` unchanged), so loading twice
compares equal and nothing is rewritten.
"""

INSTITUTE = "Northgate Institute"

BRIEF_TYPES = [
    # (slug, name, description, sort order)
    ("flash-brief", "Flash Brief", "A fast expert reaction to a development, usually published the same day.", 10),
    ("analysis", "Analysis", "A longer look at a trend: background, what it means and what to watch.", 20),
    ("policy-memo", "Policy Memo", "Concrete recommendations for lawmakers and officials.", 30),
]

# (slug, name, parent slug or None, featured, sort order, description HTML)
ISSUES = [
    ("energy-security", "Energy Security", None, True, 10,
     "<p>How states keep the lights on and the fuel flowing when markets, weather and rivals turn against them.</p>"),
    ("oil-and-gas-markets", "Oil and Gas Markets", "energy-security", False, 10,
     "<p>Supply decisions, price shocks and the politics of hydrocarbon exporters.</p>"),
    ("electric-grids", "Electric Grids", "energy-security", False, 20,
     "<p>Transmission, interconnectors and keeping an ageing grid stable through rapid change.</p>"),
    ("critical-minerals", "Critical Minerals", "energy-security", False, 30,
     "<p>Lithium, cobalt, rare earths and the refining bottlenecks that matter more than the mines.</p>"),
    ("technology-and-cyber", "Technology and Cyber", None, True, 20,
     "<p>The contest over the technologies that will decide economic and military advantage.</p>"),
    ("infrastructure-cyber-defense", "Infrastructure Cyber Defense", "technology-and-cyber", False, 10,
     "<p>Protecting water, power, ports and hospitals from intrusions that aim to disrupt, not steal.</p>"),
    ("semiconductors", "Semiconductors", "technology-and-cyber", False, 20,
     "<p>Chip design, fabrication capacity and the supply chains behind every modern weapon and phone.</p>"),
    ("ai-governance", "AI Governance", "technology-and-cyber", False, 30,
     "<p>Rules, audits and institutions for powerful AI systems, at home and between allies.</p>"),
    ("maritime-security", "Maritime Security", None, True, 30,
     "<p>Sea lanes, ports and the infrastructure on the seabed that global trade quietly depends on.</p>"),
    ("undersea-cables", "Undersea Cables", "maritime-security", False, 10,
     "<p>The data and power cables on the ocean floor, and who can repair them when they break.</p>"),
    ("shipping-and-ports", "Shipping and Ports", "maritime-security", False, 20,
     "<p>Chokepoints, port ownership and the economics of moving goods by sea.</p>"),
    ("the-arctic", "The Arctic", "maritime-security", False, 30,
     "<p>New routes, old claims and the military balance in the far north.</p>"),
    ("economic-statecraft", "Economic Statecraft", None, False, 40,
     "<p>Using trade, finance and investment rules as instruments of national power.</p>"),
    ("export-controls", "Export Controls", "economic-statecraft", False, 10,
     "<p>Which technologies may leave the country, and how well those limits are enforced.</p>"),
    ("sanctions", "Sanctions", "economic-statecraft", False, 20,
     "<p>Designations, secondary sanctions and whether the pressure changes behaviour.</p>"),
    ("illicit-finance", "Illicit Finance", "economic-statecraft", False, 30,
     "<p>Shell companies, trade-based laundering and the networks that move money around the rules.</p>"),
    ("food-and-water-security", "Food and Water Security", None, False, 50,
     "<p>Harvests, shipping routes and water systems as questions of stability, not only of aid.</p>"),
    ("grain-trade", "Grain Trade", "food-and-water-security", False, 10,
     "<p>Export bans, freight costs and the handful of routes that feed import-dependent states.</p>"),
    ("water-infrastructure", "Water Infrastructure", "food-and-water-security", False, 20,
     "<p>Dams, treatment plants and shared rivers under climate and security pressure.</p>"),
]  # fmt: skip

ENERGY = "Center on Energy and Resources"
TECH = "Technology and Security Program"
STATECRAFT = "Economic Statecraft Program"

# (slug, name, title, program, active, issue slugs, bio HTML)
EXPERTS = [
    ("miriam-okafor", "Miriam Okafor", f"Director of the {ENERGY}", ENERGY, True,
     ["energy-security", "oil-and-gas-markets", "critical-minerals"],
     "<p>Miriam Okafor leads the center's work on energy markets and resource competition. Before joining "
     "Northgate she spent a decade as a commodities analyst, covering producer politics and refinery "
     "economics.</p><p>Her current research follows the refining bottlenecks behind battery supply chains.</p>"),
    ("tobias-lindqvist", "Tobias Lindqvist", f"Senior Fellow, {ENERGY}", ENERGY, True,
     ["electric-grids", "infrastructure-cyber-defense", "the-arctic"],
     "<p>Tobias Lindqvist studies electricity grids as strategic infrastructure: interconnectors, grid "
     "stability and the physical security of substations.</p><p>He previously worked as a transmission "
     "planner for a regional grid operator.</p>"),
    ("ines-cardoso", "Inês Cardoso", f"Visiting Fellow, {ENERGY}", ENERGY, True,
     ["food-and-water-security", "grain-trade", "water-infrastructure"],
     "<p>Inês Cardoso researches how droughts, export bans and freight shocks turn into political "
     "crises in import-dependent states.</p><p>She has advised development banks on water-system "
     "resilience.</p>"),
    ("priya-raman", "Priya Raman", f"Senior Director of the {TECH}", TECH, True,
     ["technology-and-cyber", "semiconductors", "ai-governance"],
     "<p>Priya Raman directs Northgate's technology research, from chip supply chains to the governance "
     "of advanced AI systems.</p><p>She trained as an electrical engineer and has testified before "
     "legislative committees on technology competition.</p>"),
    ("declan-moore", "Declan Moore", f"Research Fellow, {TECH}", TECH, True,
     ["infrastructure-cyber-defense", "undersea-cables", "ai-governance"],
     "<p>Declan Moore tracks intrusions into critical infrastructure and the policies meant to deter "
     "them.</p><p>Before Northgate he ran incident response for a municipal utility.</p>"),
    ("helena-vasquez", "Helena Vasquez", f"Senior Fellow for Maritime Trade, {STATECRAFT}", STATECRAFT, True,
     ["maritime-security", "shipping-and-ports", "undersea-cables", "the-arctic"],
     "<p>Helena Vasquez writes about sea lanes, port investment and the security of seabed "
     "infrastructure.</p><p>She served for twelve years as a naval logistics officer.</p>"),
    ("samuel-achterberg", "Samuel Achterberg", f"Director of the {STATECRAFT}", STATECRAFT, True,
     ["economic-statecraft", "sanctions", "export-controls"],
     "<p>Samuel Achterberg leads the program's work on sanctions and export controls, with a focus on "
     "what makes economic pressure effective.</p><p>He was previously a trade lawyer.</p>"),
    ("naomi-feld", "Naomi Feld", f"Research Analyst, {STATECRAFT}", STATECRAFT, True,
     ["illicit-finance", "sanctions", "export-controls"],
     "<p>Naomi Feld maps the corporate networks used to evade sanctions and export controls, using "
     "open registries and shipping data.</p>"),
    # Inactive: she left the institute; her older briefs and quotes stay, her profile leaves the list.
    ("ruth-adeyemi", "Ruth Adeyemi", f"Former Senior Fellow, {ENERGY}", ENERGY, False,
     ["grain-trade", "oil-and-gas-markets"],
     "<p>Ruth Adeyemi was a senior fellow at Northgate, writing on commodity markets and food security.</p>"),
]  # fmt: skip

# What each brief is about. ``issues`` are slugs (a sub-issue and its parent);
# ``experts`` may be quoted or listed as authors.
TOPICS = [
    {
        "subject": "Undersea Cable Security",
        "issues": ["undersea-cables", "maritime-security"],
        "experts": ["helena-vasquez", "declan-moore", "tobias-lindqvist"],
        "actor": "a group of North Sea telecom and grid operators",
        "measure": "Shared Repair-Ship Reserve",
        "event": "Winter Cable Outages",
        "risk": "a single damaged cable can cut a small country's international bandwidth by half",
        "lever": "the handful of specialised repair ships",
        "watch": "whether insurers start pricing sabotage risk into new cable projects",
        "context": "More than nine-tenths of intercontinental data travels along the seabed, yet the fleet "
        "able to repair a cut is small, old and booked months ahead.",
        "recommendations": [
            "Fund a standing reserve of repair capacity shared among allies.",
            "Require operators to report suspicious vessel activity near cable routes.",
            "Map single points of failure and build redundant landing stations first.",
        ],
    },
    {
        "subject": "Grid Interconnectors",
        "issues": ["electric-grids", "energy-security"],
        "experts": ["tobias-lindqvist", "miriam-okafor"],
        "actor": "two neighbouring transmission operators",
        "measure": "Cross-Border Capacity Agreement",
        "event": "Summer Heat Wave",
        "risk": "a fault on one side of a border can cascade into blackouts on the other within minutes",
        "lever": "emergency reserve sharing",
        "watch": "how quickly the new capacity is actually auctioned to the market",
        "context": "Interconnectors let grids lean on one another, but they also tie each country's "
        "stability to decisions made in another capital.",
        "recommendations": [
            "Agree common rules for emergency power sharing before the next crisis, not during it.",
            "Harden converter stations as carefully as power plants.",
            "Publish interconnector outage data so markets can price the risk.",
        ],
    },
    {
        "subject": "Battery Mineral Refining",
        "issues": ["critical-minerals", "energy-security"],
        "experts": ["miriam-okafor", "samuel-achterberg", "ruth-adeyemi"],
        "actor": "a consortium of automakers and mining firms",
        "measure": "Joint Refining Venture",
        "event": "Graphite Export Licensing Rules",
        "risk": "refining capacity, not ore, is where a single supplier can squeeze the whole market",
        "lever": "long-term offtake contracts",
        "watch": "whether the venture secures permits within its promised timeline",
        "context": "Mines make headlines, but the chemistry that turns ore into battery-grade material is "
        "concentrated in very few plants.",
        "recommendations": [
            "Back new refineries with price floors rather than one-off grants.",
            "Coordinate stockpiles with allies so they are not bidding against one another.",
            "Shorten permitting for refining sites that meet strict environmental standards.",
        ],
    },
    {
        "subject": "Chip Export Controls",
        "issues": ["export-controls", "semiconductors", "economic-statecraft"],
        "experts": ["samuel-achterberg", "priya-raman", "naomi-feld"],
        "actor": "the commerce ministries of three allied chip-making states",
        "measure": "Coordinated Licensing Regime",
        "event": "Latest Smuggling Indictments",
        "risk": "controls that only one country enforces mostly shift sales to its competitors",
        "lever": "end-use checks on resellers",
        "watch": "whether licence denials are published or quietly negotiated away",
        "context": "Advanced chips and the tools that make them come from a short list of companies in a "
        "short list of countries, which makes controls possible and coordination essential.",
        "recommendations": [
            "Align control lists among the few countries that make advanced tools.",
            "Give enforcement agencies the analysts to check resellers, not only manufacturers.",
            "Review thresholds every year so controls keep pace with the technology.",
        ],
    },
    {
        "subject": "Water Utility Cyber Defense",
        "issues": ["infrastructure-cyber-defense", "water-infrastructure", "technology-and-cyber"],
        "experts": ["declan-moore", "ines-cardoso", "tobias-lindqvist"],
        "actor": "a national regulator of drinking-water systems",
        "measure": "Minimum Cybersecurity Standard",
        "event": "Intrusion at a Regional Treatment Plant",
        "risk": "many small utilities run control systems reachable from the internet with default passwords",
        "lever": "shared security operations for small utilities",
        "watch": "whether the standard comes with money for the smallest systems",
        "context": "Thousands of water systems serve fewer than ten thousand people each, and few of them "
        "employ anyone whose full-time job is security.",
        "recommendations": [
            "Pair the new standard with grants sized for small utilities.",
            "Offer free vulnerability scanning through a central agency.",
            "Make manual fallback operation part of every annual inspection.",
        ],
    },
    {
        "subject": "Sanctions Evasion at Sea",
        "issues": ["sanctions", "shipping-and-ports", "illicit-finance"],
        "experts": ["naomi-feld", "helena-vasquez", "samuel-achterberg"],
        "actor": "a coalition of flag registries and maritime insurers",
        "measure": "Vessel Identity Verification Pledge",
        "event": "Ship-to-Ship Transfer Crackdown",
        "risk": "ageing tankers with opaque owners and thin insurance now carry a growing share of sanctioned cargo",
        "lever": "insurance and flag registration",
        "watch": "how many vessels change flags in the months after the pledge",
        "context": "A tanker can change its name, flag and registered owner in weeks, and each change "
        "makes it harder to tell who profits from its cargo.",
        "recommendations": [
            "Require proof of real insurance before a tanker may use allied ports.",
            "Share beneficial-ownership data among flag registries.",
            "Designate the service providers that keep shadow fleets sailing, not only the ships.",
        ],
    },
    {
        "subject": "Arctic Shipping Routes",
        "issues": ["the-arctic", "shipping-and-ports", "maritime-security"],
        "experts": ["helena-vasquez", "tobias-lindqvist"],
        "actor": "the Arctic coastal states' coast guards",
        "measure": "Joint Search-and-Rescue Framework",
        "event": "Record Ice-Free Season",
        "risk": "traffic is growing faster than the ability to respond to a spill or a stranded ship",
        "lever": "ice-capable rescue vessels",
        "watch": "whether the framework includes shared exercises in winter conditions",
        "context": "Longer ice-free seasons make northern routes tempting, but ports, charts and rescue "
        "capacity in the far north remain sparse.",
        "recommendations": [
            "Invest in ice-capable rescue and spill-response ships before traffic grows further.",
            "Improve hydrographic charts along the busiest northern routes.",
            "Keep scientific and safety cooperation open even as military tensions rise.",
        ],
    },
    {
        "subject": "AI Model Audits",
        "issues": ["ai-governance", "technology-and-cyber"],
        "experts": ["priya-raman", "declan-moore"],
        "actor": "a group of allied standards bodies",
        "measure": "Voluntary Audit Framework",
        "event": "Disclosure of a Model Jailbreak",
        "risk": "powerful models are deployed faster than anyone can test what they will do under pressure",
        "lever": "independent testing capacity",
        "watch": "whether major developers publish audit results or only say they passed",
        "context": "Governments want assurance that advanced AI systems behave as promised, but few "
        "institutions can test them independently.",
        "recommendations": [
            "Fund public testing labs so audits do not depend on the developers alone.",
            "Agree shared test suites among allies to avoid duplicated, incompatible rules.",
            "Require incident reporting for models used in critical infrastructure.",
        ],
    },
    {
        "subject": "Grain Corridor Resilience",
        "issues": ["grain-trade", "food-and-water-security", "shipping-and-ports"],
        "experts": ["ines-cardoso", "helena-vasquez", "ruth-adeyemi"],
        "actor": "a group of grain-importing states and port authorities",
        "measure": "Emergency Freight Facility",
        "event": "Harvest Export Ban",
        "risk": "a few ports and straits carry the grain that dozens of import-dependent states rely on",
        "lever": "guaranteed freight and insurance for food cargo",
        "watch": "how quickly the facility can charter ships when a route closes",
        "context": "Food crises rarely begin with empty fields; they begin when grain cannot move or "
        "becomes too expensive to ship.",
        "recommendations": [
            "Pre-negotiate freight and insurance so food cargo moves when routes close.",
            "Diversify storage in importing regions rather than relying on just-in-time delivery.",
            "Treat export bans as a trade-policy problem to be addressed before the next bad harvest.",
        ],
    },
]
