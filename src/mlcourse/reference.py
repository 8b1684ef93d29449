"""Reference tables behind the synthetic card market: sets, species, trainers, rarities.

Set names, release dates and species names are real; species stats are synthetic except
for a handful of famous species (see ``KNOWN_STATS``). Everything here is plain data so
that the generator in :mod:`mlcourse.dataset` stays readable.
"""

from __future__ import annotations

# --------------------------------------------------------------------------------------
# Eras: (code, label, highest species generation available, price-index sensitivity)
# --------------------------------------------------------------------------------------
ERAS: dict[str, dict] = {
    "wotc": {"label": "Wizards of the Coast (1999-2003)", "max_gen": 2, "index_lambda": 1.0},
    "ex": {"label": "EX (2003-2007)", "max_gen": 3, "index_lambda": 0.8},
    "dp": {"label": "Diamond & Pearl / Platinum / HGSS (2007-2011)", "max_gen": 4, "index_lambda": 0.65},
    "bw_xy": {"label": "Black & White / XY (2011-2016)", "max_gen": 6, "index_lambda": 0.55},
    "sm": {"label": "Sun & Moon (2017-2019)", "max_gen": 7, "index_lambda": 0.45},
    "swsh": {"label": "Sword & Shield (2020-2023)", "max_gen": 8, "index_lambda": 0.35},
    "sv": {"label": "Scarlet & Violet (2023-2025)", "max_gen": 9, "index_lambda": 0.25},
}
ERA_ORDER = list(ERAS)

# (set name, release date, era, first edition printed?)
SETS: list[tuple[str, str, str, bool]] = [
    ("Base Set", "1999-01-09", "wotc", True),
    ("Jungle", "1999-06-16", "wotc", True),
    ("Fossil", "1999-10-10", "wotc", True),
    ("Base Set 2", "2000-02-24", "wotc", False),
    ("Team Rocket", "2000-04-24", "wotc", True),
    ("Gym Heroes", "2000-08-14", "wotc", True),
    ("Gym Challenge", "2000-10-16", "wotc", True),
    ("Neo Genesis", "2000-12-16", "wotc", True),
    ("Neo Discovery", "2001-06-01", "wotc", True),
    ("Neo Revelation", "2001-09-21", "wotc", True),
    ("Neo Destiny", "2002-02-28", "wotc", True),
    ("Legendary Collection", "2002-05-24", "wotc", False),
    ("Expedition", "2002-09-15", "wotc", False),
    ("Aquapolis", "2003-01-15", "wotc", False),
    ("Skyridge", "2003-05-12", "wotc", False),
    ("Ruby & Sapphire", "2003-07-01", "ex", False),
    ("Sandstorm", "2003-09-18", "ex", False),
    ("Dragon", "2003-11-24", "ex", False),
    ("Team Magma vs Team Aqua", "2004-03-15", "ex", False),
    ("Hidden Legends", "2004-06-14", "ex", False),
    ("FireRed & LeafGreen", "2004-08-30", "ex", False),
    ("Team Rocket Returns", "2004-11-08", "ex", False),
    ("Deoxys", "2005-02-14", "ex", False),
    ("Emerald", "2005-05-09", "ex", False),
    ("Unseen Forces", "2005-08-22", "ex", False),
    ("Delta Species", "2005-10-31", "ex", False),
    ("Legend Maker", "2006-02-13", "ex", False),
    ("Holon Phantoms", "2006-05-03", "ex", False),
    ("Crystal Guardians", "2006-08-30", "ex", False),
    ("Dragon Frontiers", "2006-11-08", "ex", False),
    ("Power Keepers", "2007-02-14", "ex", False),
    ("Diamond & Pearl", "2007-05-23", "dp", False),
    ("Mysterious Treasures", "2007-08-22", "dp", False),
    ("Secret Wonders", "2007-11-07", "dp", False),
    ("Great Encounters", "2008-02-13", "dp", False),
    ("Majestic Dawn", "2008-05-21", "dp", False),
    ("Legends Awakened", "2008-08-20", "dp", False),
    ("Stormfront", "2008-11-05", "dp", False),
    ("Platinum", "2009-02-11", "dp", False),
    ("Rising Rivals", "2009-05-16", "dp", False),
    ("Supreme Victors", "2009-08-19", "dp", False),
    ("Arceus", "2009-11-04", "dp", False),
    ("HeartGold & SoulSilver", "2010-02-10", "dp", False),
    ("Unleashed", "2010-05-12", "dp", False),
    ("Undaunted", "2010-08-18", "dp", False),
    ("Triumphant", "2010-11-03", "dp", False),
    ("Call of Legends", "2011-02-09", "dp", False),
    ("Black & White", "2011-04-25", "bw_xy", False),
    ("Emerging Powers", "2011-08-31", "bw_xy", False),
    ("Noble Victories", "2011-11-16", "bw_xy", False),
    ("Next Destinies", "2012-02-08", "bw_xy", False),
    ("Dark Explorers", "2012-05-09", "bw_xy", False),
    ("Dragons Exalted", "2012-08-15", "bw_xy", False),
    ("Boundaries Crossed", "2012-11-07", "bw_xy", False),
    ("Plasma Storm", "2013-02-06", "bw_xy", False),
    ("Plasma Freeze", "2013-05-08", "bw_xy", False),
    ("Plasma Blast", "2013-08-14", "bw_xy", False),
    ("Legendary Treasures", "2013-11-06", "bw_xy", False),
    ("XY", "2014-02-05", "bw_xy", False),
    ("Flashfire", "2014-05-07", "bw_xy", False),
    ("Furious Fists", "2014-08-13", "bw_xy", False),
    ("Phantom Forces", "2014-11-05", "bw_xy", False),
    ("Primal Clash", "2015-02-04", "bw_xy", False),
    ("Roaring Skies", "2015-05-06", "bw_xy", False),
    ("Ancient Origins", "2015-08-12", "bw_xy", False),
    ("BREAKthrough", "2015-11-04", "bw_xy", False),
    ("BREAKpoint", "2016-02-03", "bw_xy", False),
    ("Fates Collide", "2016-05-02", "bw_xy", False),
    ("Steam Siege", "2016-08-03", "bw_xy", False),
    ("Evolutions", "2016-11-02", "bw_xy", False),
    ("Sun & Moon", "2017-02-03", "sm", False),
    ("Guardians Rising", "2017-05-05", "sm", False),
    ("Burning Shadows", "2017-08-04", "sm", False),
    ("Crimson Invasion", "2017-11-03", "sm", False),
    ("Ultra Prism", "2018-02-02", "sm", False),
    ("Forbidden Light", "2018-05-04", "sm", False),
    ("Celestial Storm", "2018-08-03", "sm", False),
    ("Lost Thunder", "2018-11-02", "sm", False),
    ("Team Up", "2019-02-01", "sm", False),
    ("Unbroken Bonds", "2019-05-03", "sm", False),
    ("Unified Minds", "2019-08-02", "sm", False),
    ("Hidden Fates", "2019-08-23", "sm", False),
    ("Cosmic Eclipse", "2019-11-01", "sm", False),
    ("Sword & Shield", "2020-02-07", "swsh", False),
    ("Rebel Clash", "2020-05-01", "swsh", False),
    ("Darkness Ablaze", "2020-08-14", "swsh", False),
    ("Vivid Voltage", "2020-11-13", "swsh", False),
    ("Shining Fates", "2021-02-19", "swsh", False),
    ("Battle Styles", "2021-03-19", "swsh", False),
    ("Chilling Reign", "2021-06-18", "swsh", False),
    ("Evolving Skies", "2021-08-27", "swsh", False),
    ("Celebrations", "2021-10-08", "swsh", False),
    ("Fusion Strike", "2021-11-12", "swsh", False),
    ("Brilliant Stars", "2022-02-25", "swsh", False),
    ("Astral Radiance", "2022-05-27", "swsh", False),
    ("Pokemon GO", "2022-07-01", "swsh", False),
    ("Lost Origin", "2022-09-09", "swsh", False),
    ("Silver Tempest", "2022-11-11", "swsh", False),
    ("Crown Zenith", "2023-01-20", "swsh", False),
    ("Scarlet & Violet", "2023-03-31", "sv", False),
    ("Paldea Evolved", "2023-06-09", "sv", False),
    ("Obsidian Flames", "2023-08-11", "sv", False),
    ("151", "2023-09-22", "sv", False),
    ("Paradox Rift", "2023-11-03", "sv", False),
    ("Paldean Fates", "2024-01-26", "sv", False),
    ("Temporal Forces", "2024-03-22", "sv", False),
    ("Twilight Masquerade", "2024-05-24", "sv", False),
    ("Shrouded Fable", "2024-08-02", "sv", False),
    ("Stellar Crown", "2024-09-13", "sv", False),
    ("Surging Sparks", "2024-11-08", "sv", False),
    ("Prismatic Evolutions", "2025-01-17", "sv", False),
    ("Journey Together", "2025-03-28", "sv", False),
    ("Destined Rivals", "2025-05-30", "sv", False),
    ("Black Bolt", "2025-07-18", "sv", False),
    ("White Flare", "2025-07-18", "sv", False),
]

# Sets whose Pokemon come from one generation only (e.g. "151" reprints generation 1).
SET_GENERATION_OVERRIDE = {"151": 1, "Base Set": 1, "Jungle": 1, "Fossil": 1, "Base Set 2": 1,
                           "Team Rocket": 1, "Gym Heroes": 1, "Gym Challenge": 1,
                           "Legendary Collection": 1, "Evolutions": 1, "Expedition": 2}

# --------------------------------------------------------------------------------------
# Rarities. Medians are modern (Sword & Shield / Scarlet & Violet) TCGplayer market
# medians for a Near Mint, English, unlimited copy in the rarity's natural finish.
# chase: how strongly species popularity is amplified at this rarity (0 = not at all).
# --------------------------------------------------------------------------------------
RARITIES: dict[str, dict] = {
    "Common": {"median": 0.09, "chase": 0.0, "tier": 0},
    "Uncommon": {"median": 0.12, "chase": 0.05, "tier": 1},
    "Rare": {"median": 0.17, "chase": 0.15, "tier": 2},
    "Rare Holo": {"median": 0.27, "chase": 0.3, "tier": 3},
    "Double Rare": {"median": 0.82, "chase": 0.5, "tier": 4},
    "Ultra Rare": {"median": 2.54, "chase": 0.65, "tier": 5},
    "Shiny Rare": {"median": 3.49, "chase": 0.7, "tier": 6},
    "Secret Rare": {"median": 5.07, "chase": 0.75, "tier": 7},
    "Hyper Rare": {"median": 9.68, "chase": 0.6, "tier": 8},
    "Illustration Rare": {"median": 12.06, "chase": 1.0, "tier": 9},
    "Special Illustration Rare": {"median": 32.0, "chase": 1.0, "tier": 10},
}
RARITY_ORDER = list(RARITIES)

# Share of a set's cards at each rarity, by era (each row sums to 1).
RARITY_MIX: dict[str, dict[str, float]] = {
    "wotc": {"Common": 0.40, "Uncommon": 0.30, "Rare": 0.14, "Rare Holo": 0.14, "Secret Rare": 0.02},
    "ex": {"Common": 0.36, "Uncommon": 0.28, "Rare": 0.15, "Rare Holo": 0.11, "Ultra Rare": 0.08,
           "Secret Rare": 0.02},
    "dp": {"Common": 0.36, "Uncommon": 0.28, "Rare": 0.15, "Rare Holo": 0.12, "Ultra Rare": 0.07,
           "Secret Rare": 0.02},
    "bw_xy": {"Common": 0.34, "Uncommon": 0.26, "Rare": 0.14, "Rare Holo": 0.12, "Ultra Rare": 0.10,
              "Secret Rare": 0.04},
    "sm": {"Common": 0.32, "Uncommon": 0.25, "Rare": 0.12, "Rare Holo": 0.11, "Ultra Rare": 0.14,
           "Secret Rare": 0.06},
    "swsh": {"Common": 0.31, "Uncommon": 0.23, "Rare": 0.08, "Rare Holo": 0.10, "Ultra Rare": 0.17,
             "Shiny Rare": 0.04, "Secret Rare": 0.07},
    "sv": {"Common": 0.31, "Uncommon": 0.23, "Rare": 0.08, "Double Rare": 0.10, "Ultra Rare": 0.08,
           "Illustration Rare": 0.12, "Special Illustration Rare": 0.05, "Hyper Rare": 0.03},
}

# Era multiplier on the modern median, by rarity (vintage holos ~150x, uncommons ~18x, commons ~7x).
ERA_MULTIPLIER: dict[str, dict[str, float]] = {
    "wotc": {"Common": 5.0, "Uncommon": 14.0, "Rare": 18.0, "Rare Holo": 110.0, "Secret Rare": 12.0},
    "ex": {"Common": 3.0, "Uncommon": 3.5, "Rare": 6.0, "Rare Holo": 25.0, "Ultra Rare": 9.0,
           "Secret Rare": 8.0},
    "dp": {"Common": 2.0, "Uncommon": 2.3, "Rare": 3.0, "Rare Holo": 9.0, "Ultra Rare": 3.0,
           "Secret Rare": 3.5},
    "bw_xy": {"Common": 1.4, "Uncommon": 1.5, "Rare": 1.8, "Rare Holo": 3.5, "Ultra Rare": 1.3,
              "Secret Rare": 1.6},
    "sm": {"Common": 1.1, "Uncommon": 1.15, "Rare": 1.25, "Rare Holo": 1.8, "Ultra Rare": 1.0,
           "Secret Rare": 1.2},
    "swsh": {},
    "sv": {},
}

# Pokemon card name suffix for high rarities, by era.
NAME_SUFFIX: dict[str, dict[str, str]] = {
    "ex": {"Ultra Rare": " ex", "Secret Rare": " ex"},
    "dp": {"Ultra Rare": " LV.X"},
    "bw_xy": {"Ultra Rare": "-EX", "Secret Rare": "-EX"},
    "sm": {"Ultra Rare": "-GX", "Secret Rare": "-GX"},
    "swsh": {"Ultra Rare": " V", "Secret Rare": " VMAX", "Shiny Rare": " V"},
    "sv": {"Double Rare": " ex", "Ultra Rare": " ex", "Special Illustration Rare": " ex",
           "Hyper Rare": " ex"},
}

CONDITIONS = {"NM": 1.0, "LP": 0.8, "MP": 0.6, "HP": 0.4, "DMG": 0.25}
LANGUAGES = {"English": 0.0, "Japanese": -0.2, "German": -0.35, "French": -0.35, "Italian": -0.35}
GRADERS = ["PSA", "BGS", "CGC"]
GRADES = [7.0, 8.0, 9.0, 9.5, 10.0]
FINISHES = ["normal", "reverse_holo", "holofoil"]
POKEMON_TYPES = ["Normal", "Fire", "Water", "Grass", "Electric", "Psychic", "Fighting", "Dark",
                 "Steel", "Dragon", "Fairy", "Ghost", "Ice", "Rock", "Ground", "Poison", "Bug",
                 "Flying"]

# --------------------------------------------------------------------------------------
# Species: "Name:Type:generation[:L|M]" (L legendary, M mythical).
# --------------------------------------------------------------------------------------
_SPECIES_TEXT = """
Bulbasaur:Grass:1 Ivysaur:Grass:1 Venusaur:Grass:1 Charmander:Fire:1 Charmeleon:Fire:1
Charizard:Fire:1 Squirtle:Water:1 Wartortle:Water:1 Blastoise:Water:1 Caterpie:Bug:1
Metapod:Bug:1 Butterfree:Bug:1 Weedle:Bug:1 Kakuna:Bug:1 Beedrill:Bug:1 Pidgey:Normal:1
Pidgeotto:Normal:1 Pidgeot:Normal:1 Rattata:Normal:1 Raticate:Normal:1 Spearow:Normal:1
Fearow:Normal:1 Ekans:Poison:1 Arbok:Poison:1 Pikachu:Electric:1 Raichu:Electric:1
Sandshrew:Ground:1 Sandslash:Ground:1 Nidoran-F:Poison:1 Nidorina:Poison:1 Nidoqueen:Poison:1
Nidoran-M:Poison:1 Nidorino:Poison:1 Nidoking:Poison:1 Clefairy:Fairy:1 Clefable:Fairy:1
Vulpix:Fire:1 Ninetales:Fire:1 Jigglypuff:Normal:1 Wigglytuff:Normal:1 Zubat:Poison:1
Golbat:Poison:1 Oddish:Grass:1 Gloom:Grass:1 Vileplume:Grass:1 Paras:Bug:1 Parasect:Bug:1
Venonat:Bug:1 Venomoth:Bug:1 Diglett:Ground:1 Dugtrio:Ground:1 Meowth:Normal:1 Persian:Normal:1
Psyduck:Water:1 Golduck:Water:1 Mankey:Fighting:1 Primeape:Fighting:1 Growlithe:Fire:1
Arcanine:Fire:1 Poliwag:Water:1 Poliwhirl:Water:1 Poliwrath:Water:1 Abra:Psychic:1
Kadabra:Psychic:1 Alakazam:Psychic:1 Machop:Fighting:1 Machoke:Fighting:1 Machamp:Fighting:1
Bellsprout:Grass:1 Weepinbell:Grass:1 Victreebel:Grass:1 Tentacool:Water:1 Tentacruel:Water:1
Geodude:Rock:1 Graveler:Rock:1 Golem:Rock:1 Ponyta:Fire:1 Rapidash:Fire:1 Slowpoke:Water:1
Slowbro:Water:1 Magnemite:Electric:1 Magneton:Electric:1 Farfetch'd:Normal:1 Doduo:Normal:1
Dodrio:Normal:1 Seel:Water:1 Dewgong:Water:1 Grimer:Poison:1 Muk:Poison:1 Shellder:Water:1
Cloyster:Water:1 Gastly:Ghost:1 Haunter:Ghost:1 Gengar:Ghost:1 Onix:Rock:1 Drowzee:Psychic:1
Hypno:Psychic:1 Krabby:Water:1 Kingler:Water:1 Voltorb:Electric:1 Electrode:Electric:1
Exeggcute:Grass:1 Exeggutor:Grass:1 Cubone:Ground:1 Marowak:Ground:1 Hitmonlee:Fighting:1
Hitmonchan:Fighting:1 Lickitung:Normal:1 Koffing:Poison:1 Weezing:Poison:1 Rhyhorn:Ground:1
Rhydon:Ground:1 Chansey:Normal:1 Tangela:Grass:1 Kangaskhan:Normal:1 Horsea:Water:1
Seadra:Water:1 Goldeen:Water:1 Seaking:Water:1 Staryu:Water:1 Starmie:Water:1
Mr._Mime:Psychic:1 Scyther:Bug:1 Jynx:Ice:1 Electabuzz:Electric:1 Magmar:Fire:1 Pinsir:Bug:1
Tauros:Normal:1 Magikarp:Water:1 Gyarados:Water:1 Lapras:Water:1 Ditto:Normal:1 Eevee:Normal:1
Vaporeon:Water:1 Jolteon:Electric:1 Flareon:Fire:1 Porygon:Normal:1 Omanyte:Rock:1
Omastar:Rock:1 Kabuto:Rock:1 Kabutops:Rock:1 Aerodactyl:Rock:1 Snorlax:Normal:1
Articuno:Ice:1:L Zapdos:Electric:1:L Moltres:Fire:1:L Dratini:Dragon:1 Dragonair:Dragon:1
Dragonite:Dragon:1 Mewtwo:Psychic:1:L Mew:Psychic:1:M
Chikorita:Grass:2 Cyndaquil:Fire:2 Typhlosion:Fire:2 Totodile:Water:2 Feraligatr:Water:2
Togepi:Fairy:2 Ampharos:Electric:2 Marill:Water:2 Espeon:Psychic:2 Umbreon:Dark:2
Murkrow:Dark:2 Misdreavus:Ghost:2 Unown:Psychic:2 Wobbuffet:Psychic:2 Girafarig:Normal:2
Steelix:Steel:2 Scizor:Bug:2 Heracross:Bug:2 Sneasel:Dark:2 Houndoom:Dark:2 Kingdra:Water:2
Larvitar:Rock:2 Tyranitar:Rock:2 Raikou:Electric:2:L Entei:Fire:2:L Suicune:Water:2:L
Lugia:Psychic:2:L Ho-Oh:Fire:2:L Celebi:Grass:2:M Slowking:Water:2 Skarmory:Steel:2
Blissey:Normal:2 Smeargle:Normal:2 Miltank:Normal:2 Pichu:Electric:2 Cleffa:Fairy:2
Treecko:Grass:3 Sceptile:Grass:3 Torchic:Fire:3 Blaziken:Fire:3 Mudkip:Water:3 Swampert:Water:3
Ralts:Psychic:3 Gardevoir:Psychic:3 Sableye:Dark:3 Mawile:Steel:3 Aggron:Steel:3
Flygon:Dragon:3 Altaria:Dragon:3 Milotic:Water:3 Absol:Dark:3 Salamence:Dragon:3
Metagross:Steel:3 Latias:Dragon:3:L Latios:Dragon:3:L Kyogre:Water:3:L Groudon:Ground:3:L
Rayquaza:Dragon:3:L Jirachi:Steel:3:M Deoxys:Psychic:3:M Regirock:Rock:3:L Regice:Ice:3:L
Registeel:Steel:3:L Wailord:Water:3 Banette:Ghost:3 Shedinja:Bug:3
Turtwig:Grass:4 Chimchar:Fire:4 Infernape:Fire:4 Piplup:Water:4 Empoleon:Water:4
Luxray:Electric:4 Riolu:Fighting:4 Lucario:Fighting:4 Gible:Dragon:4 Garchomp:Dragon:4
Togekiss:Fairy:4 Glaceon:Ice:4 Leafeon:Grass:4 Gallade:Psychic:4 Froslass:Ice:4
Rotom:Electric:4 Dialga:Steel:4:L Palkia:Water:4:L Giratina:Ghost:4:L Cresselia:Psychic:4:L
Darkrai:Dark:4:M Shaymin:Grass:4:M Arceus:Normal:4:M Heatran:Fire:4:L Regigigas:Normal:4:L
Weavile:Dark:4 Honchkrow:Dark:4 Mismagius:Ghost:4
Snivy:Grass:5 Tepig:Fire:5 Oshawott:Water:5 Zorua:Dark:5 Zoroark:Dark:5 Chandelure:Ghost:5
Haxorus:Dragon:5 Hydreigon:Dark:5 Volcarona:Bug:5 Reshiram:Dragon:5:L Zekrom:Dragon:5:L
Kyurem:Dragon:5:L Victini:Psychic:5:M Genesect:Bug:5:M Keldeo:Water:5:M Meloetta:Normal:5:M
Landorus:Ground:5:L Thundurus:Electric:5:L Tornadus:Flying:5:L Cobalion:Steel:5:L
Terrakion:Rock:5:L Virizion:Grass:5:L Excadrill:Ground:5 Scrafty:Dark:5
Chespin:Grass:6 Fennekin:Fire:6 Froakie:Water:6 Greninja:Water:6 Sylveon:Fairy:6
Talonflame:Fire:6 Aegislash:Steel:6 Goodra:Dragon:6 Noivern:Dragon:6 Xerneas:Fairy:6:L
Yveltal:Dark:6:L Zygarde:Dragon:6:L Diancie:Fairy:6:M Hoopa:Psychic:6:M Volcanion:Fire:6:M
Hawlucha:Fighting:6 Dedenne:Electric:6
Rowlet:Grass:7 Decidueye:Grass:7 Litten:Fire:7 Incineroar:Fire:7 Popplio:Water:7
Primarina:Water:7 Rockruff:Rock:7 Lycanroc:Rock:7 Mimikyu:Ghost:7 Toxapex:Poison:7
Solgaleo:Psychic:7:L Lunala:Psychic:7:L Necrozma:Psychic:7:L Tapu_Koko:Electric:7:L
Tapu_Lele:Psychic:7:L Marshadow:Fighting:7:M Zeraora:Electric:7:M Magearna:Steel:7:M
Melmetal:Steel:7:M
Grookey:Grass:8 Rillaboom:Grass:8 Scorbunny:Fire:8 Cinderace:Fire:8 Sobble:Water:8
Inteleon:Water:8 Corviknight:Flying:8 Toxtricity:Electric:8 Dragapult:Dragon:8
Alcremie:Fairy:8 Morpeko:Electric:8 Wooloo:Normal:8 Yamper:Electric:8 Zacian:Fairy:8:L
Zamazenta:Fighting:8:L Eternatus:Dragon:8:L Urshifu:Fighting:8:L Calyrex:Psychic:8:L
Regieleki:Electric:8:L Regidrago:Dragon:8:L Glastrier:Ice:8:L Spectrier:Ghost:8:L
Zarude:Dark:8:M
Sprigatito:Grass:9 Meowscarada:Grass:9 Fuecoco:Fire:9 Skeledirge:Fire:9 Quaxly:Water:9
Quaquaval:Water:9 Pawmi:Electric:9 Lechonk:Normal:9 Tinkaton:Fairy:9 Kingambit:Dark:9
Gholdengo:Steel:9 Garganacl:Rock:9 Palafin:Water:9 Greavard:Ghost:9 Flamigo:Flying:9
Tatsugiri:Dragon:9 Iron_Valiant:Fairy:9 Roaring_Moon:Dragon:9 Koraidon:Fighting:9:L
Miraidon:Electric:9:L Ogerpon:Grass:9:L Terapagos:Normal:9:L Chien-Pao:Dark:9:L
Ting-Lu:Dark:9:L Chi-Yu:Dark:9:L Wo-Chien:Dark:9:L Fezandipiti:Poison:9:L
Munkidori:Poison:9:L Okidogi:Poison:9:L Pecharunt:Poison:9:M
"""


def _parse_species() -> list[dict]:
    rows = []
    for token in _SPECIES_TEXT.split():
        parts = token.split(":")
        name = parts[0].replace("_", " ").replace("Nidoran-F", "Nidoran F").replace("Nidoran-M", "Nidoran M")
        flag = parts[3] if len(parts) > 3 else ""
        rows.append({"species": name, "pokemon_type": parts[1], "generation": int(parts[2]),
                     "is_legendary": flag == "L", "is_mythical": flag == "M"})
    return rows


SPECIES: list[dict] = _parse_species()

# Real base stats (HP, Attack, Defense, Speed, base stat total) for a few famous species;
# every other species gets seeded synthetic stats in the games' ranges.
KNOWN_STATS: dict[str, tuple[int, int, int, int, int]] = {
    "Charizard": (78, 84, 78, 100, 534), "Pikachu": (35, 55, 40, 90, 320),
    "Mewtwo": (106, 110, 90, 130, 680), "Mew": (100, 100, 100, 100, 600),
    "Umbreon": (95, 65, 110, 65, 525), "Espeon": (65, 65, 60, 110, 525),
    "Gengar": (60, 65, 60, 110, 500), "Eevee": (55, 55, 50, 55, 325),
    "Lugia": (106, 90, 130, 110, 680), "Rayquaza": (105, 150, 90, 95, 680),
    "Sylveon": (95, 65, 65, 60, 525), "Snorlax": (160, 110, 65, 30, 540),
    "Blastoise": (79, 83, 100, 78, 530), "Venusaur": (80, 82, 83, 80, 525),
    "Gyarados": (95, 125, 79, 81, 540), "Dragonite": (91, 134, 95, 80, 600),
    "Magikarp": (20, 10, 55, 80, 200),
}

# Collector premium (multiplier on the rarity-and-finish median) for the chase species.
NAMED_PREMIUM: dict[str, float] = {
    "Umbreon": 9.0, "Charizard": 7.0, "Gengar": 5.0, "Espeon": 4.0, "Sylveon": 4.0,
    "Mew": 3.0, "Mewtwo": 3.0, "Rayquaza": 3.0, "Lugia": 2.6, "Pikachu": 2.3, "Eevee": 2.0,
}

# The premium at the top chase rarities (Illustration and Special Illustration Rares) where it
# is not simply the named premium amplified (premium^1.6): Charizard art is everywhere, while
# collectors chase Pikachu art. Like NAMED_PREMIUM these are multipliers over a species of no
# popularity; over the rarity's median they come out at about 6x (Charizard) and 9x (Pikachu).
CHASE_PREMIUM: dict[str, float] = {"Charizard": 9.0, "Pikachu": 12.5}

# Reverse holo premium over the card's printing in its natural finish ("normal" for Common,
# Uncommon and Rare, "holofoil" for Rare Holo). Legendary Collection's "fireworks" reverse holos
# are a chase of their own: about 48x the normal printing. The e-Card sets' reverse holos, from
# small print runs, trade at several times the normal printing too (an assumption of the course).
REVERSE_HOLO_PREMIUM_DEFAULT = 2.0
REVERSE_HOLO_PREMIUM: dict[str, dict[str, float]] = {
    "Legendary Collection": {"normal": 48.0, "holofoil": 6.0},
    "Expedition": {"normal": 8.0}, "Aquapolis": {"normal": 8.0}, "Skyridge": {"normal": 8.0},
}

# Wizards-era set factor on price: print runs differed by set. The first-print sets are dear,
# the reprint sets (Base Set 2, Legendary Collection's normal printings) and the widely printed
# Jungle and Fossil are cheaper, and the late e-Card sets, printed in small runs, are dearest.
SET_PRICE_FACTOR: dict[str, float] = {
    "Base Set": 1.1, "Jungle": 0.6, "Fossil": 0.7, "Base Set 2": 0.6, "Team Rocket": 1.0,
    "Gym Heroes": 1.0, "Gym Challenge": 1.2, "Neo Genesis": 1.0, "Neo Discovery": 0.9,
    "Neo Revelation": 1.2, "Neo Destiny": 1.6, "Legendary Collection": 0.8, "Expedition": 1.4,
    "Aquapolis": 1.8, "Skyridge": 2.5,
}

# Real card counts of the Wizards-era sets (the other eras draw a size from a range).
SET_SIZE: dict[str, int] = {
    "Base Set": 102, "Jungle": 64, "Fossil": 62, "Base Set 2": 130, "Team Rocket": 83,
    "Gym Heroes": 132, "Gym Challenge": 132, "Neo Genesis": 111, "Neo Discovery": 75,
    "Neo Revelation": 66, "Neo Destiny": 113, "Legendary Collection": 110, "Expedition": 165,
    "Aquapolis": 147, "Skyridge": 144,
}

# The real holo rosters of sets whose line-up every collector knows (most famous first; a set
# with fewer holo slots takes the first ones). Other sets draw their species at random.
HOLO_ROSTER: dict[str, list[str]] = {
    "Base Set": ["Charizard", "Blastoise", "Venusaur", "Mewtwo", "Zapdos", "Raichu", "Ninetales",
                 "Alakazam", "Gyarados", "Nidoking", "Poliwrath", "Magneton", "Chansey",
                 "Hitmonchan", "Clefairy", "Machamp"],
}

TRAINERS = [
    "Professor Oak", "Bill", "Computer Search", "Item Finder", "Energy Removal", "Gust of Wind",
    "Potion", "Switch", "Rare Candy", "Ultra Ball", "Great Ball", "Quick Ball", "Nest Ball",
    "Level Ball", "Evolution Incense", "Professor's Research", "Boss's Orders", "Marnie",
    "Cynthia", "N", "Iono", "Arven", "Penny", "Nemona", "Judge", "Lillie", "Erika's Hospitality",
    "Misty's Determination", "Sabrina's Suggestion", "Team Rocket's Handiwork", "Pokemon Catcher",
    "VS Seeker", "Max Potion", "Escape Rope", "Energy Retrieval", "Super Rod", "Town Map",
    "Rescue Stretcher", "Battle VIP Pass", "Path to the Peak", "Lost Vacuum", "Air Balloon",
    "Choice Belt", "Counter Catcher", "Earthen Vessel", "Buddy-Buddy Poffin",
]
ENERGIES = [
    "Fire Energy", "Water Energy", "Grass Energy", "Lightning Energy", "Psychic Energy",
    "Fighting Energy", "Darkness Energy", "Metal Energy", "Double Colorless Energy",
    "Double Turbo Energy", "Jet Energy", "Reversal Energy",
]
