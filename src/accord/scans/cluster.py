"""Running a scan's batches on Dask distributed: a LocalCluster by default, any running cluster by address.

The index payload is scattered once to every worker (``broadcast``); batches are submitted a window at a time
(twice the cluster's threads) and fresh ones are added as results come back (``as_completed``), so memory on the
client stays bounded whatever the archive's size. A worker needs Accord installed (the batch function is
``accord.scans.work.scan_batch``) but no database: results travel back to the client, which writes them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from itertools import islice

from distributed import Client, Future, LocalCluster, as_completed

from accord.errors import InvalidInput
from accord.scans.work import BatchResult, IndexPayload, scan_batch
from accord.settings import Settings
from accord.signals import MediaLimits


class DaskRunner:
    """A scan's batches on the cluster ``client`` is connected to."""

    def __init__(self, client: Client, *, window: int | None = None) -> None:
        self.client = client
        self.window = window
        address = client.scheduler.address if client.scheduler is not None else "?"
        local = isinstance(client.cluster, LocalCluster)
        self.name = f"Dask LocalCluster ({self.threads()} threads)" if local else f"Dask {address}"

    def threads(self) -> int:
        return max(1, int(sum(self.client.nthreads().values())))

    def map(self, payload: IndexPayload, batches: Iterator[tuple[int, list[str]]], limits: MediaLimits,
            fetch_settings: Settings) -> Iterator[BatchResult]:
        """Each batch's result as it completes; at most ``window`` batches are out at a time."""
        shared = self.client.scatter(payload, broadcast=True, hash=False)
        window = self.window or 2 * self.threads()

        def submit(number: int, refs: list[str]) -> Future[BatchResult]:
            return self.client.submit(scan_batch, number, refs, shared, limits, fetch_settings, pure=False)

        running = as_completed([submit(n, refs) for n, refs in islice(batches, window)])
        try:
            for future in running:
                result: BatchResult = future.result()
                future.release()
                following = next(batches, None)
                if following is not None:
                    running.add(submit(*following))
                yield result
        finally:
            running.clear()
            shared.release()


@contextmanager
def connect(scheduler: str | None, *, workers: int | None = None, processes: bool = True) -> Iterator[Client]:
    """A client of the cluster at ``scheduler``, or of a LocalCluster started here (one single-threaded worker
    process per core unless ``workers`` says otherwise) and stopped on leaving."""
    if scheduler:
        try:
            client = Client(scheduler, timeout="20s")
        except (OSError, TimeoutError, ValueError) as exc:
            raise InvalidInput(f"cannot reach the Dask scheduler at {scheduler}: {exc}", field="scheduler") from exc
        with client:
            yield client
        return
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=processes, dashboard_address=None)
    with cluster, Client(cluster) as client:
        yield client
