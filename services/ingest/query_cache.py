"""A bounded LRU of exact search-query text → vector: a repeated question skips the model."""

import threading
from collections import OrderedDict

import numpy


class QueryCache:
    """Vectors are returned as read-only rows, so a caller cannot change what a later hit gets."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._lock = threading.Lock()
        self._entries: OrderedDict[str, numpy.ndarray] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, text: str) -> numpy.ndarray | None:
        with self._lock:
            vector = self._entries.get(text)
            if vector is not None:
                self._entries.move_to_end(text)
            return vector

    def put(self, text: str, vector: numpy.ndarray) -> None:
        if self.capacity <= 0:
            return
        stored = numpy.array(vector, dtype=numpy.float32)
        stored.flags.writeable = False
        with self._lock:
            self._entries[text] = stored
            self._entries.move_to_end(text)
            while len(self._entries) > self.capacity:
                self._entries.popitem(last=False)
