"""The aiohttp gateway: the only HTTP surface; translates REST into gRPC calls."""
