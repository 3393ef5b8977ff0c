"""
title: Weather Tool
author: webui-platform tests
version: 0.1.0
"""

from pydantic import BaseModel


class Tools:
    class Valves(BaseModel):
        api_base: str = "https://weather.invalid"

    def __init__(self):
        self.valves = self.Valves()

    def get_weather(self, city: str, days: int = 1) -> str:
        """
        Get the current weather for a city.
        :param city: Name of the city
        :param days: Number of days
        """
        return f"Weather in {city} for {days} day(s): sunny, 21 C"
