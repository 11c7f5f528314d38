"""Demo: a synthetic multi-source company (reusable by tests and benchmarks) and the demo run.

Facade::

    from patron.demo import run_demo
    result = run_demo(people=5000)        # generates files under $PATRON_HOME/demo, imports them
"""

from patron.demo.generator import DemoConfig, DemoFiles, generate_company, write_customer_csv
from patron.demo.runner import DemoResult, run_demo
from patron.demo.users import ensure_demo_users

__all__ = [
    "DemoConfig",
    "DemoFiles",
    "DemoResult",
    "ensure_demo_users",
    "generate_company",
    "run_demo",
    "write_customer_csv",
]
