# DigiFin: the two commands a newcomer needs are `make run` and `make test`.
.PHONY: run dev test test-fast setup lint format demo worker bench messages

run:            ## set up, load demo data and serve on http://127.0.0.1:8000 as production does (DEBUG off)
	scripts/run.sh

dev:            ## the same data on Django's debug server (DEBUG on, auto-reload) for developers
	scripts/run.sh dev

test:           ## the whole suite on throwaway PostgreSQL + Redis (installs what is missing)
	scripts/test.sh

test-fast:      ## inner loop: SQLite, eager Celery, no browser or service tests
	scripts/setup.sh run
	.venv/bin/python -m pytest -m "not e2e and not services" -x -q

setup:
	scripts/setup.sh run

lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check .

format:
	.venv/bin/ruff check --fix . && .venv/bin/ruff format .

demo:
	.venv/bin/python manage.py load_demo

worker:         ## a Celery worker (needs CELERY_BROKER_URL)
	.venv/bin/celery -A digifin worker --concurrency 2 -l info

bench:          ## realistic data at scale 1, 10, 100; page times, query counts, batch throughput
	scripts/bench.sh

messages:       ## refresh the English translation catalogue
	.venv/bin/python manage.py makemessages -l en --ignore=.venv --ignore=.tools --ignore=node_modules --ignore=static/vendor
