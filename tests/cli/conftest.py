from tests.ops.procs import procs, redis_db  # noqa: F401  (fixtures)
