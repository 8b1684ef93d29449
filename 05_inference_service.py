import marimo

__generated_with = "0.25.2"
app = marimo.App(
    width="medium",
    app_title="Module 5: A real inference service",
)


@app.cell
def _():
    import http
    import inspect
    import json
    import os
    import pprint
    import shutil
    import time
    import warnings

    import altair as alt
    import httpx
    import marimo as mo
    import numpy as np
    import pandas as pd
    from fastapi import FastAPI
    from pydantic import BaseModel

    with warnings.catch_warnings():  # Starlette's notice about its test client's HTTP library
        warnings.simplefilter("ignore", UserWarning)
        from fastapi.testclient import TestClient

    from mlcourse import features
    from mlcourse import reference as ref
    from mlcourse.dataset import load_cards, load_listings
    from mlcourse.evaluation import mean_interval
    from mlcourse.paths import output_dir
    from mlcourse.service import app as service_app
    from mlcourse.service import latency, rollout, runner, schemas
    from mlcourse.service import model as service_model
    from mlcourse.service.requestlog import RequestLog, read_log

    return (
        BaseModel,
        FastAPI,
        RequestLog,
        TestClient,
        alt,
        features,
        http,
        httpx,
        inspect,
        json,
        latency,
        load_cards,
        load_listings,
        mean_interval,
        mo,
        np,
        os,
        output_dir,
        pd,
        pprint,
        read_log,
        ref,
        rollout,
        runner,
        schemas,
        service_app,
        service_model,
        shutil,
        time,
    )


@app.cell
def _(inspect, mo):
    def show_source(obj) -> object:
        """The source of a function or class as a code block.

        Kept out of the indented prose of an f-string: mo.md removes the prose's
        indentation from every line, which would flatten the code's own.
        """
        return mo.md(f"```python\n{inspect.getsource(obj)}\n```")

    return (show_source,)


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    # Module 5: A real inference service

    **Time:** 2.5 to 3 hours, plus about an hour for the exercises.

    **Why this module matters.** A model in a notebook earns nothing. It starts to matter
    when other software can ask it a question and rely on the answer: quickly, every time,
    including when the question is malformed. That is an engineering problem more than a
    modelling one, and it is where many ML projects stall. In this module the course's
    card-pricing model becomes a real service, in the course package
    (`src/mlcourse/service/`), that you can start with one command and call from any
    language.

    **You will learn to**

    1. choose between online, batch and streaming serving for a use case;
    2. read and write a small HTTP API: methods, JSON bodies, status codes, ports; then
       put a model behind a FastAPI app with a pydantic contract, and read its code;
    3. reject bad input with a clear message per field, and never answer with a crash;
    4. measure inference latency properly (percentiles, single versus batch, cold versus
       warm, where the time goes) and check it against a service-level objective;
    5. run the service for real, call it with `curl` and `httpx`, and stop it cleanly;
    6. roll a new model out safely: versions, canaries and A/B tests.

    **You need** Module 2 (the shared features in `mlcourse.features`, and why training
    and serving must compute them the same way), Module 3 (gradient-boosted trees on the
    log price, a time-ordered split) and Module 4 (MAE and RMSE, the noise floor). No web
    programming: section 2 starts from a ten-line app and defines each term where it first
    appears. Every number on this page is measured or computed when the notebook runs;
    timings are measured on your machine, as it is at that moment.
    """)
    return


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    ## 1. Serving patterns

    The service prices an ungraded card listing from its attributes (rarity, era,
    condition, language, stats, dates). The model was trained by one command,
    `uv run python -m mlcourse.service train`, which writes it to `outputs/card_pricer/`.
    The cell below loads that model, or trains it if it is missing or stale (a few seconds).
    """)
    return


@app.cell
def _(features, load_listings, service_model, time):
    _start = time.perf_counter()
    model = service_model.load_or_train()
    model_seconds = time.perf_counter() - _start
    listings = load_listings()
    pricing = features.pricing_subset(listings).sort_values("listing_id", kind="stable").reset_index(drop=True)
    test_rows = pricing.tail(model.metadata["rows"]["test"]).reset_index(drop=True)
    return model, model_seconds, pricing, test_rows


@app.cell
def _(features, latency, load_cards, model, ref, test_rows):
    _sample = test_rows.head(5_000)[features.INPUT_COLUMNS]
    batch_seconds = float(latency.time_calls(lambda: model.predict_frame(_sample), repeats=3).min()) / 1000
    batch_rate = len(_sample) / batch_seconds
    catalog_combinations = len(load_cards()) * len(ref.CONDITIONS) * len(ref.LANGUAGES)
    return batch_rate, catalog_combinations


@app.cell
def _(batch_rate, catalog_combinations, mo, model, model_seconds):
    _meta = model.metadata
    mo.md(f"""
    The model `{model.version}` ({model.n_trees} trees, trained on
    {_meta['rows']['train']:,} listings up to {_meta['training_window']['train_to']}) was
    ready in {model_seconds:.1f} s ({"trained in this run" if model.training_seconds else
    "loaded from disk: an earlier run trained it"}). On this machine it prices
    **{batch_rate:,.0f} listings per second** when they come in one batch.

    There are three ways to put such a model to work:

    | pattern | how | freshness | latency per answer | fits when |
    |---|---|---|---|---|
    | **batch** | a scheduled job scores a whole table and stores the results; the product reads the table | as old as the last run | a table lookup | the inputs are known in advance and change slowly: nightly repricing of a catalog, weekly churn scores |
    | **online** | a service answers each request as it comes | current | the model's latency, every time | the inputs exist only at request time: a seller typing a listing, a checkout fraud check |
    | **streaming** | a consumer scores events from a queue (Kafka, Kinesis) and publishes the scores | seconds behind | no caller waits | many events, nobody waiting, but results needed soon: price alerts, monitoring |

    Could we skip the service and precompute every price? The catalog has
    {catalog_combinations:,} (card, condition, language) combinations; at the rate above a
    nightly batch job would score them in **{catalog_combinations / batch_rate:.0f}
    seconds**. That is cheap, and for a "typical price" page it is the right design. But
    the price of *a listing* depends on its date (the market moves daily) and on details a
    table cannot enumerate in advance, and a seller wants the answer while typing.
    So: batch for the catalog page, online for the listing form, and both from the same
    model and the same feature code.
    """)
    return


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    ## 2. A first web service

    Before the real service, the smallest one that shows every idea. A web service is a
    program that waits for **requests** and sends back **responses**, following HTTP:

    - A request has a **method** and a **path**. `GET /health` asks for something and
      changes nothing; `POST /price` sends data to be processed. A `POST` carries a
      **body**, here JSON text, and a **header** `Content-Type: application/json` that
      tells the server how to read it.
    - A response has a **status code** and a body: 2xx means done, 4xx means the request
      was wrong (the caller must change it), 5xx means the server failed.
    - A server listens on an **address** and a **port**. `127.0.0.1` is the *loopback*
      address, "this machine": nothing on the network can reach it. The port tells the
      programs of one machine apart (this course's service uses 8000 unless told
      otherwise). Address, port and path make the URL: `http://127.0.0.1:8000/health`.

    FastAPI turns Python functions into endpoints (a method and a path), and a pydantic
    class declares what a body must contain. Here is a complete service in ten lines:
    """)
    return


@app.cell
def _(BaseModel, FastAPI):
    class HelloCard(BaseModel):
        rarity: str
        condition: str

    hello_app = FastAPI(title="Hello, pricing")

    @hello_app.get("/health")
    def _hello_health() -> dict:
        return {"status": "ok"}

    @hello_app.post("/price")
    def _hello_price(card: HelloCard) -> dict:
        base = {"Common": 0.25, "Rare": 2.00}.get(card.rarity, 1.00)
        return {"price_usd": base if card.condition == "NM" else base / 2}

    return (hello_app,)


@app.cell
def _(TestClient, hello_app, http, json, pd):
    _calls = [("GET", "/health", None), ("POST", "/price", {"rarity": "Rare", "condition": "NM"}),
              ("POST", "/price", {"rarity": "Rare"}), ("GET", "/price", None), ("GET", "/prices", None)]
    _rows = []
    with TestClient(hello_app) as _client:
        for _method, _path, _body in _calls:
            _response = _client.request(_method, _path, json=_body)
            _rows.append({"request": f"{_method} {_path}", "body sent": json.dumps(_body) if _body else "",
                          "status": _response.status_code, "response body": _response.text})
        _wire = _client.post("/price", json={"rarity": "Rare", "condition": "NM"})
    hello_calls = pd.DataFrame(_rows)
    _request = _wire.request
    _sent = "\n".join(f"{name}: {_request.headers[name]}" for name in ("host", "content-type", "content-length"))
    _got = "\n".join(f"{name}: {_wire.headers[name]}" for name in ("content-type", "content-length"))
    hello_wire = (f"{_request.method} {_request.url.path} HTTP/1.1\n{_sent}\n\n{_request.content.decode()}",
                  f"HTTP/1.1 {_wire.status_code} {http.HTTPStatus(_wire.status_code).phrase}\n{_got}\n\n{_wire.text}")
    hello_calls
    return hello_calls, hello_wire


@app.cell(hide_code=True)
def _(hello_calls, hello_wire, http, mo):
    _codes = sorted(set(hello_calls["status"]))
    _meanings = "; ".join(f"**{c}** {http.HTTPStatus(c).phrase}" for c in _codes)
    mo.md(f"""
    `TestClient` calls the app inside this Python process: no network, no port, the same
    HTTP semantics. It is how the course's tests talk to the service, and how this page
    shows it. The {len(hello_calls)} requests got these codes: {_meanings}. A body without `condition` got a 422
    that lists what is missing (pydantic checked the body against `HelloCard` before our
    function ran); `GET /price` got a 405 because that path only answers `POST`; an
    unknown path got a 404. Nothing we wrote produced those errors: the framework did.

    Over a real connection the second request and its answer are this text (a few
    headers left out):

    ```http
    {hello_wire[0]}
    ```

    ```http
    {hello_wire[1]}
    ```

    Section 6 runs the real service on a port with `uvicorn`, the server program that
    listens on the port and hands each request to the app, and calls it with `curl` and
    Python.
    """)
    return


@app.cell(hide_code=True)
def _(inspect, mo, service, service_app, show_source):
    _routes = [{"method": ", ".join(sorted(r.methods)), "path": r.path,
                "what it does": (inspect.getdoc(r.endpoint) or r.description or "").splitlines()[0]}
               for r in service.routes if getattr(r, "include_in_schema", False)]
    mo.vstack([
        mo.md(r"""
    **From ten lines to the real service.** The course's service (`mlcourse/service/app.py`)
    is the same thing grown up. Each addition answers a question the small app ignores:

    - **An app factory.** Instead of `app = FastAPI()` at import time, a function,
      `create_app(model)`, builds and returns the app around the model it is given. A
      test, this notebook and the server each build their own app, with the model and
      settings they choose; a missing or corrupt model stops `create_app` before any
      request is served.
    - **A lifespan.** Code that FastAPI runs once when the server starts, before the first
      request, and once when it stops. Ours warms the model up (its first prediction
      costs more than the next ones), so no caller pays for it.
    - **A middleware.** A layer that every request passes through on its way in and every
      response on its way out, whatever the endpoint. Ours gives each request an id, adds
      the id and the model version to every response's headers, refuses oversized bodies,
      turns an unexpected exception into a clean 500, and writes one log line per request.
      It is a plain *ASGI* middleware: ASGI is the interface between a server such as
      uvicorn and an app such as FastAPI (the server calls `app(scope, receive, send)` for
      each request), and a middleware is an app that wraps another.
    - **Liveness and readiness.** Two questions that the platform running the service
      asks it over and over. A *load balancer* (the component that spreads requests over
      several copies of a service) or an orchestrator such as Kubernetes asks "is the
      process alive?" (`GET /health`: if not, restart it) and "can it serve now?"
      (`GET /ready`: if not, send it no traffic yet).
    - **The event loop and the thread pool.** uvicorn runs one *event loop*: a single
      thread that juggles every open connection, switching to another whenever one waits
      for the network. An endpoint written as a plain `def` runs in a *thread pool* (a few
      worker threads), so a prediction that keeps the CPU busy for milliseconds does not
      freeze the loop. An `async def` endpoint runs on the loop itself and must never do
      slow work. Our endpoints are plain `def`, except the batch endpoint: an `async def`
      that only reads the raw body on the loop, then hands validation and the model to
      the thread pool (pydantic reads the JSON bytes itself, which is faster than
      FastAPI's parse-then-validate for a thousand listings).

    Its endpoints, read from the running app:
    """),
        mo.ui.table(_routes, selection=None),
        mo.accordion({"The whole app factory, `create_app`": show_source(service_app.create_app)}),
    ])
    return


@app.cell(hide_code=True)
def _(mo, schemas, show_source):
    _prose = mo.md(f"""
    ## 3. The service's code

    The service is ordinary software in the course package, with tests, not notebook cells:

    | module | what it holds |
    |---|---|
    | `mlcourse/service/schemas.py` | the API contract: pydantic models of requests and responses |
    | `mlcourse/service/model.py` | deterministic training, safe saving, checked loading, prediction |
    | `mlcourse/service/app.py` | the app factory: endpoints, error handlers, the middleware |
    | `mlcourse/service/__main__.py` | the command line: `train` and `serve` |
    | `mlcourse/service/requestlog.py`, `latency.py`, `rollout.py`, `runner.py` | logging, measuring, rolling out, starting a real server |

    **The contract.** A request is one listing. Every field has a type, and the allowed
    values come from the data dictionary: `rarity` is one of
    {len(schemas.Rarity.__args__)} values, a stat is an integer from
    {schemas.STAT_RANGE[0]} to {schemas.STAT_RANGE[1]:,}, dates are `YYYY-MM-DD`. Rules
    that involve two fields (a set cannot be released after the listing, a Trainer card
    has no HP, only Wizards-era sets printed a 1st Edition) are one *model validator*,
    which runs once every field is valid on its own and reports each broken rule under
    the field to fix. `extra="forbid"` rejects a misspelt field instead of
    silently ignoring it, and `strict=True` on numbers and flags refuses `"95"` for 95,
    `"yes"` for `true`, and also `95.0` for 95 (section 4 explains that choice):
    """)
    mo.vstack([_prose, show_source(schemas.CardListing)])
    return


@app.cell(hide_code=True)
def _(mo, service_model, show_source):
    _before = mo.md("""
    **The prediction path reuses the training code.** The service turns requests into the
    same raw columns the dataset has, then calls the *shared* feature function and the
    category encoder fitted at training time. There is no second implementation of a feature
    anywhere in the service:
    """)
    _after = mo.md("""
    Why insist? Because the most common way a good model fails in production is
    **training/serving skew**: the serving code computes a feature slightly differently from
    the training code. Here is a realistic example. Suppose someone re-implements
    `listing_day` (days since the start of the market data) for the service as "days since
    the earliest listing in the input". On the training table the two definitions agree
    exactly (the earliest listing *is* the start of the data), so every offline check
    passes. In the service, a request carries one listing:
    """)
    mo.vstack([_before, show_source(service_model.PricingModel.predict_log), _after])
    return


@app.cell
def _(features, model, np, pd, pricing, test_rows):
    def reimplemented_listing_day(frame):
        """The re-implementation: days since the earliest listing in the input."""
        dates = pd.to_datetime(frame["listing_date"])
        return (dates - dates.min()).dt.days.astype("float64")

    _train_table = pricing.head(model.metadata["rows"]["train"])
    skew_rows_checked = len(_train_table)
    skew_agrees_offline = bool(np.array_equal(reimplemented_listing_day(_train_table).to_numpy(),
                                              features.feature_frame(_train_table)["listing_day"].to_numpy()))
    _rows = test_rows.sample(2_000, random_state=5)[features.INPUT_COLUMNS]
    one_request_day = float(reimplemented_listing_day(_rows.iloc[[0]]).iloc[0])
    _shared = features.feature_frame(_rows)
    _served = _shared.assign(listing_day=one_request_day)  # what every one-listing request gets
    _right = np.exp(model.booster.inplace_predict(model.preprocessor.transform(_shared)))
    _skewed = np.exp(model.booster.inplace_predict(model.preprocessor.transform(_served)))
    skew_error = np.abs(_skewed / _right - 1)
    return one_request_day, skew_agrees_offline, skew_error, skew_rows_checked


@app.cell(hide_code=True)
def _(
    mo,
    np,
    one_request_day,
    skew_agrees_offline,
    skew_error,
    skew_rows_checked,
):
    mo.md(f"""
    On the {skew_rows_checked:,} training rows, the re-implementation and the shared
    function {"agree on every row" if skew_agrees_offline else "DISAGREE"}: every offline
    check passes. In the service, a request holds one listing, so the re-implemented
    feature is {one_request_day:.0f} for every request: the model believes each listing is
    from January 2020. Across {len(skew_error):,} test listings the served price moves by a
    median of **{np.median(skew_error):.1%}**, and by more than 10% for
    **{np.mean(skew_error > 0.10):.0%}** of them. Nothing crashes and no test on the training
    table fails; only monitoring would notice, weeks later. The cure is structural: one
    feature function, imported by training and by serving, and a test that prices dataset
    rows through the service's path and compares (`tests/test_service_model.py` does).
    """)
    return


@app.cell
def _(json, mo, model, pd, service_model):
    _dir = service_model.default_model_dir()
    model_files = pd.DataFrame([{"file": f.name, "kB": round(f.stat().st_size / 1000, 1)}
                                for f in sorted(_dir.iterdir()) if not f.name.startswith(".")])
    _meta = model.metadata
    _shown = {k: _meta[k] for k in ("model_version", "training_data_hash", "training_window", "pricing_window",
                                    "rows", "interval")}
    _shown["metrics"] = {k: round(v, 3) for k, v in _meta["metrics"].items()}
    mo.vstack([
        mo.md(f"""
    **Saved safely.** The trained model is two files in `{_dir.name}/`. Neither is a pickle:
    unpickling a file runs whatever code it contains, so a pickle from an untrusted path is
    a remote-code-execution hole. XGBoost writes its trees as JSON; everything else the
    service needs is in `metadata.json`: the version (a hash of the model file), the
    training data's content hash (Module 1), the categories the model knows, the listing
    dates it may price, test metrics, the prediction interval, and
    {len(_meta['self_test']['listings'])} reference predictions.
    """),
        model_files,
        mo.md(f"```json\n{json.dumps(_shown, indent=2)}\n```"),
    ])
    return


@app.cell
def _(model, output_dir, service_model, shutil):
    _source = service_model.default_model_dir()
    _broken = output_dir() / "module5_broken_model"
    if _broken.exists():
        shutil.rmtree(_broken)
    shutil.copytree(_source, _broken)
    _raw = (_broken / service_model.MODEL_FILE).read_bytes()
    (_broken / service_model.MODEL_FILE).write_bytes(_raw[: len(_raw) // 2])  # a half-copied file
    load_failures = {}
    for _case, _path in [("a folder with no model", output_dir() / "no_model_here"),
                         ("a half-copied model file", _broken)]:
        try:
            service_model.load_model(_path)
            load_failures[_case] = "loaded (unexpected)"
        except service_model.ModelLoadError as _exc:
            load_failures[_case] = str(_exc)
    shutil.rmtree(_broken)
    model_interval = model.metadata["interval"]
    return load_failures, model_interval


@app.cell
def _(
    load_failures,
    mo,
    model,
    model_interval,
    np,
    service_model,
    show_source,
):
    _items = "\n".join(f"- *{case}*: `{message}`" for case, message in load_failures.items())
    _window = model.pricing_window
    _before = mo.md("""
    **Loaded with checks, at start-up.** `load_model` refuses anything it cannot serve
    correctly, and says what to do. It checks the files exist, that the model file's hash
    matches the metadata (a half-copied or swapped file), that the model was trained on
    the features the code computes today, and finally runs a **self-test**: the loaded model
    must reproduce the reference predictions it made when it was trained. That last check
    catches what no hash can: a change to the feature code or to a library since training.
    """)
    _after = mo.md(f"""
    Two broken model folders, loaded here and now:

    {_items}

    The `serve` command prints that message and exits with code 2, before binding a port.
    A service that starts without a valid model would pass its health check and then fail
    every request: far worse than not starting.

    **The interval.** The model predicts the log price; on {model.metadata['rows']['calibration']:,}
    listings that came *after* the training period, {model_interval['level']:.0%} of the
    errors fell between {model_interval['log_lower']:+.2f} and
    {model_interval['log_upper']:+.2f} on the log scale. The service reports that band
    around each prediction: from {np.exp(model_interval['log_lower']):.0%} to
    {np.exp(model_interval['log_upper']):.0%} of the predicted price. On the
    {model.metadata['rows']['test']:,} most recent listings it covered
    **{model.metadata['metrics']['interval_coverage']:.1%}** of real prices.

    **The pricing window.** A tree model cannot extrapolate in time: it prices every date
    after its training data as if it were the last training day. Its quality was measured
    on listings up to {model.metadata['training_window']['test_to']}; the service keeps
    pricing for {model.metadata['pricing_window']['horizon_days']} days after that, so
    it prices listings dated **{_window[0]} to {_window[1]}**. A later date gets a 422
    that says to retrain, not a silent guess (question 3 below shows what the guess would
    cost). The window is in the metadata and in `GET /model`.
    """)
    mo.vstack([_before, show_source(service_model._self_test), _after])
    return


@app.cell(hide_code=True)
def _(mo, model, schemas):
    _first, _last = model.pricing_window
    mo.md(f"""
    ## 4. Validation with pydantic, live

    A request goes through five gates before it reaches the model, and each gate that
    refuses it says which field and why:

    1. **JSON parsing**: the body must be JSON text, sent with the header
       `Content-Type: application/json` (`NaN` is not JSON, but Python's parser accepts
       it, so we must handle it ourselves);
    2. **types**: a whole number where an integer is expected, a date as `YYYY-MM-DD`, a
       flag as `true`/`false`;
    3. **allowed values and ranges**: the data dictionary's categories, stat ranges,
       listing dates from {schemas.EARLIEST_LISTING_DATE} to {schemas.LATEST_LISTING_DATE}
       (a plausibility bound that catches typos), at most {schemas.MAX_BATCH:,} listings
       per batch;
    4. **rules across fields**: released before listed, no stats on a Trainer card;
    5. **what the model knows**: a category the model never saw in training, or a listing
       date outside its pricing window ({_first} to {_last}), gets a 422, not a silent
       guess.

    Below, the running app answers a catalogue of bad requests through `TestClient`.
    """)
    return


@app.cell
def _(RequestLog, json, model, pd, schemas, service_app):
    valid_listing = schemas.CardListing.model_config["json_schema_extra"]["examples"][0]
    notebook_log = RequestLog()
    service = service_app.create_app(model, request_log=notebook_log)
    _day_after_window = (pd.Timestamp(model.pricing_window[1]) + pd.Timedelta(days=1)).date().isoformat()

    def _with(**changes):
        return json.dumps({**valid_listing, **changes})

    def _without(field):
        return json.dumps({k: v for k, v in valid_listing.items() if k != field})

    # (path, body, Content-Type header): curl -d without -H sends a form's content type
    sent_as_form = {"a body sent without the JSON header"}
    bad_requests = {
        "a valid listing": ("/predict", json.dumps(valid_listing)),
        "missing field": ("/predict", _without("rarity")),
        "wrong type (text for a number)": ("/predict", _with(hp="ninety")),
        "wrong type (number as text)": ("/predict", _with(card_number="215")),
        "a whole number written 95.0": ("/predict", _with(hp=95.0)),
        "NaN in a number": ("/predict", _with(hp="__NAN__").replace('"__NAN__"', "NaN")),
        "Infinity in a number": ("/predict", _with(attack="__INF__").replace('"__INF__"', "Infinity")),
        "unknown category": ("/predict", _with(rarity="Mega Ultra Rare")),
        "wrong case": ("/predict", _with(condition="nm")),
        "out of range": ("/predict", _with(hp=5000)),
        "date in the wrong format": ("/predict", _with(listing_date="01/06/2024")),
        "listing date outside the market": ("/predict", _with(listing_date="2019-06-01")),
        "a date the model cannot price": ("/predict", _with(listing_date=_day_after_window)),
        "set released after the listing": ("/predict", _with(release_date="2024-12-01")),
        "a Trainer card with HP": ("/predict", _with(supertype="Trainer", pokemon_type=None)),
        "a modern 1st Edition": ("/predict", _with(first_edition=True)),
        "a misspelt field": ("/predict", _with(rarty="Rare")),
        "not JSON at all": ("/predict", "{listing: Charizard"),
        "a body sent without the JSON header": ("/predict", json.dumps(valid_listing)),
        "an empty batch": ("/predict/batch", json.dumps({"listings": []})),
        "an oversize batch": ("/predict/batch", json.dumps({"listings": [valid_listing] * 1001})),
        "one bad item in a batch": ("/predict/batch", json.dumps(
            {"listings": [valid_listing, {**valid_listing, "hp": -1}]})),
    }
    return bad_requests, notebook_log, sent_as_form, service, valid_listing


@app.cell
def _(TestClient, bad_requests, json, pd, sent_as_form, service):
    validation_responses = {}
    with TestClient(service, raise_server_exceptions=False) as _client:
        for _case, (_path, _body) in bad_requests.items():
            _type = "application/x-www-form-urlencoded" if _case in sent_as_form else "application/json"
            _response = _client.post(_path, content=_body, headers={"content-type": _type})
            validation_responses[_case] = (_response.status_code, _response.json())
    _rows = []
    for _case, (_status, _body) in validation_responses.items():
        _detail = _body.get("detail", []) if _status == 422 else []
        _rows.append({"request": _case, "status": _status,
                      "field": ", ".join(d["field"] for d in _detail[:3]),
                      "message": "; ".join(d["msg"] for d in _detail[:1])[:140] or json.dumps(_body)[:140]})
    validation_table = pd.DataFrame(_rows)
    return validation_responses, validation_table


@app.cell
def _(mo, validation_responses, validation_table):
    n_bad_requests = sum(1 for c in validation_responses if c != "a valid listing")
    n_bad_answered_422 = sum(1 for c, (s, _) in validation_responses.items() if c != "a valid listing" and s == 422)
    case_picker = mo.ui.dropdown(options=list(validation_responses), value="NaN in a number",
                                 label="Show the full response to")
    mo.vstack([
        mo.md(f"""
    {n_bad_answered_422} of the {n_bad_requests} bad requests got a **422** naming the field to fix; the valid
    listing got a {validation_responses['a valid listing'][0]}. Nothing reached the model
    unless it was valid.
    """),
        validation_table,
        case_picker,
    ])
    return case_picker, n_bad_answered_422, n_bad_requests


@app.cell
def _(case_picker, json, mo, validation_responses):
    _status, _body = validation_responses[case_picker.value]
    mo.md(f"HTTP {_status}\n\n```json\n{json.dumps(_body, indent=2)[:3000]}\n```")
    return


@app.cell
def _(FastAPI, TestClient, bad_requests, schemas, service):
    naive = FastAPI()

    @naive.post("/predict")
    def _naive_predict(listing: schemas.CardListing) -> dict:
        return {"received": True}

    _path, _nan_body = bad_requests["NaN in a number"]
    with TestClient(naive, raise_server_exceptions=False) as _client:
        naive_nan = _client.post(_path, content=_nan_body, headers={"content-type": "application/json"})
    with TestClient(service, raise_server_exceptions=False) as _client:
        ours_nan = _client.post(_path, content=_nan_body, headers={"content-type": "application/json"})
    return naive_nan, ours_nan


@app.cell(hide_code=True)
def _(mo, naive_nan, ours_nan, service_app, show_source):
    _before = mo.md(f"""
    **The NaN trap.** The same request model in a plain FastAPI app, sent `"hp": NaN`,
    answers **HTTP {naive_nan.status_code}** (`{naive_nan.text[:60]}`). Our service answers
    **HTTP {ours_nan.status_code}**: *{ours_nan.json()['detail'][0]['msg']}*.

    What happened in the plain app: Python's JSON parser accepts `NaN`, pydantic rejects
    it (`hp` is an integer field, and NaN is not an integer) and raises a validation error
    that *contains the bad input*. FastAPI's default handler then tries to send that input
    back in the 422 body, and a strict JSON encoder cannot encode NaN: the error handler
    itself crashes, and the caller sees a 500, "our fault", for what was their mistake.
    Our handler builds each message from the error's location and text, echoes only
    inputs that JSON can carry, and names NaN and infinities in the message:
    """)
    _after = mo.md("""
    The property-based tests in `tests/test_service_fuzz.py` go further than any list of
    cases: schemathesis generates hundreds of valid and invalid requests from the OpenAPI
    schema, and hypothesis throws hostile JSON values (NaN, huge integers, nested junk) at
    every field. The rule they check: no 5xx, ever. (The fuzzer earned its keep: it found
    that a body that is not UTF-8 text got a 400 the API did not document. It is now a 422
    like every other bad input.)

    **Floats are worse.** Integer fields reject NaN by their type. A plain `float` field
    *accepts* NaN and infinity unless declared `Field(allow_inf_nan=False)`, and a range
    check on a float (`Field(lt=1_000_000)`) reports a NaN as "Input should be less than
    1000000": every comparison with NaN is false, so the range is the rule that fails, and
    its message misleads the caller. This service has no float inputs; exercise 5.2 has
    one.
    """)
    mo.vstack([_before, show_source(service_app.validation_error_body), _after])
    return


@app.cell(hide_code=True)
def _(json, mo, validation_responses):
    _whole = validation_responses["a whole number written 95.0"][1]["detail"][0]["msg"]
    _form = validation_responses["a body sent without the JSON header"][1]["detail"][0]["msg"]
    mo.md(f"""
    **Two pitfalls callers meet first.** A client written with pandas often sends `95.0`
    for 95: an integer column with a missing value becomes a float column, and
    `frame.to_dict("records")` gives `{json.dumps({"hp": 95.0})}`. The service answers:
    *{_whole}*. We chose to refuse it, and to say exactly what to send. JSON has a single
    number type, so accepting `95.0` would be defensible. But the schema says *integer*,
    and clients generated from it send integers; the same pandas column also holds `NaN`
    for the missing values, which the client must turn into `null` anyway, and one
    conversion fixes both (`mlcourse.service.model.request_payloads` does it for a
    DataFrame); and converting on our side would run Python code on every integer field
    of every valid request, while a good message costs nothing until a request is wrong.

    The second: `curl -d` without `-H "Content-Type: application/json"` sends the body
    as a *form*. FastAPI then does not read it as JSON
    at all, and its own message would be "Input should be a valid dictionary". The service
    says instead: *{_form}*.
    """)
    return


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    ## 5. Error handling: what the caller sees

    An API's errors are part of its contract. Each status code tells the caller whose
    problem it is and what to do next. Every error of this service has the same JSON
    shape (a `message`, and a `detail` list naming each bad field, empty when no field is
    to blame) and the same two headers as a success: `x-request-id` and
    `x-model-version`. That includes the errors the framework raises before our code
    runs: an unknown path (404) and a wrong method (405, with the `allow` header naming
    the right one) get the service's shape, not FastAPI's bare `{"detail": "Not Found"}`.
    One answer is different by design: the 503 of `/ready` is a readiness answer, the same
    body as its 200 with `ready: false`, because a probe reads that field.

    | status | meaning | whose problem | should the caller retry? |
    |---|---|---|---|
    | 200 | priced | | |
    | 404, 405 | no endpoint at that path, or not with that method; the body names both | caller | no: fix the URL or the method |
    | 408 | the request's headers or body did not arrive in time (sent too slowly, or shorter than its Content-Length); the connection is closed | caller, or its network | once: send the whole request at once |
    | 413 | the body is larger than the service accepts; the body says the limit | caller | no: send fewer listings per request |
    | 422 | a field is missing, of the wrong type, out of range or unknown to the model; the body names each one | caller | no: fix the named fields |
    | 500 | the service failed on a valid request; the body gives a request id, never internals | **us** | yes, with backoff; and we get paged |
    | 503 | not ready: the app's start-up (the warm-up) has not run (under uvicorn a starting service refuses the connection instead); or more connections are open than the server serves at once (`--max-connections`) | nobody | yes, later |

    Two rules make this work. First, **a 500 must mean a bug in the service**: if bad
    input can cause a 500, your error rate alarms fire on the callers' mistakes and you
    stop trusting them. Second, **no request can take the process down**: the middleware
    turns an unexpected exception into one 500 for one request, records the exception in
    that request's log line, and the next request is served normally. Below, each
    situation, live:
    """)
    return


@app.cell
def _(
    RequestLog,
    TestClient,
    model,
    pd,
    service_app,
    service_model,
    valid_listing,
):
    class _FailingModel(service_model.PricingModel):
        def predict_prices(self, listings, n_trees=None):
            raise RuntimeError("simulated failure inside the model")

    failing_log = RequestLog()
    _failing = service_app.create_app(_FailingModel(model.booster, model.preprocessor, model.metadata),
                                      request_log=failing_log)
    _small = service_app.create_app(model, request_log=RequestLog(), max_body_bytes=20_000)
    _cold = service_app.create_app(model, request_log=RequestLog())
    _scenarios = []

    def _add(situation, response):
        _scenarios.append({"situation": situation, "status": response.status_code,
                           "x-request-id": response.headers.get("x-request-id", "(none)"),
                           "body": response.text})

    _client = TestClient(_failing)  # no start-up: the warm-up would fail
    _add("the model raises an exception", _client.post("/predict", json=valid_listing))
    _add("... and the next request", _client.get("/health"))
    with TestClient(_small) as _c:
        _add("a 100-listing batch, 20 kB limit", _c.post("/predict/batch", json={"listings": [valid_listing] * 100}))
        _add("an unknown path", _c.get("/prices"))
        _add("the wrong method", _c.get("/predict"))
    _add("readiness before start-up (in process)", TestClient(_cold).get("/ready"))
    error_scenarios = pd.DataFrame(_scenarios)
    error_scenarios
    return error_scenarios, failing_log


@app.cell(hide_code=True)
def _(error_scenarios, failing_log, json, mo):
    _failed = next(r for r in failing_log.recent() if r["status"] == 500)
    _shown = {**_failed, "error": {**_failed["error"], "traceback": "(" + str(len(_failed["error"]["traceback"]))
                                                                  + " characters, innermost call last)"}}
    _id_in_body = _failed["request_id"] in error_scenarios.loc[0, "body"]
    _ready_status = error_scenarios.iloc[-1]["status"]
    mo.md(f"""
    The caller of the failing request got a 500 whose body gives its request id
    ({"the same id as in its" if _id_in_body else "NOT the id of its"} `x-request-id` header and log line), and
    nothing about our code. The log line of that request holds what we need to fix it:
    the exception's type, message and place, and the whole traceback:

    ```json
    {json.dumps(_shown, indent=2)}
    ```

    **Readiness, exactly.** The last row shows `/ready` answering {_ready_status}.
    The app says "not ready" while its ready flag is off: before
    its lifespan start-up has run, and after its shut-down. A caller of the real server
    never sees that answer. uvicorn runs the start-up (our warm-up) *before* it listens
    on the port, so while the service starts, a probe's connection is **refused**
    (section 6 counts the refusals of a real start); and when it stops, uvicorn closes the
    port before it runs the lifespan's end. Only in process can the app be asked before
    its start-up: a `TestClient` used without `with`, as in the last row, never runs it.
    For a load balancer a refused connection and a 503 mean the same thing: not ready,
    no traffic. The 503 stays in the contract, and the tests check it, because the app
    must not claim to be ready when it is not, however it is run.
    """)
    return


@app.cell
def _(mo, notebook_log, ours_nan, pd, validation_responses):
    _ = (validation_responses, ours_nan)  # show the log after section 4's requests
    _records = pd.DataFrame(notebook_log.recent())
    _columns = [c for c in ["time", "path", "status", "latency_ms", "model_version", "errors", "prediction"]
                if c in _records.columns]
    mo.vstack([
        mo.md(f"""
    **Every request leaves one structured line.** The middleware hands one JSON object
    per request to the request log (`mlcourse/service/requestlog.py`): time,
    request id, path, status, latency, model version, a summary of the inputs and of the
    prediction, or the fields that were invalid. The {len(_records)} requests of section 4,
    as the log saw them:
    """),
        _records[_columns],
        mo.md("""
    One line per request, JSON, with the model version: that is what makes the questions
    of Module 6 answerable. Which model served the bad prices on Tuesday? Are the inputs
    drifting? Which field do callers get wrong most often? Is latency creeping up? With
    `serve`, the same lines go to stdout (where a container platform collects them) and to
    `outputs/service_logs/requests.jsonl`.

    Writing the log never holds up a request: each destination has its own writer thread
    behind a bounded queue. When one cannot keep up (a stdout that nobody reads fills its
    pipe) or fails (a full disk), its lines are dropped or lost and counted at `GET /log`,
    one warning goes to stderr, and the file keeps whole lines only; the service goes on
    answering. A monitor should alert on those counters: a service that prices well but
    logs nothing is blind.
    """),
    ])
    return


@app.cell
def _(json, output_dir, valid_listing):
    from mlcourse.dataset import REPO_ROOT

    example_path = output_dir() / "example_listing.json"
    example_path.write_text(json.dumps(valid_listing, indent=2) + "\n")
    example_shown = (example_path.relative_to(REPO_ROOT) if example_path.is_relative_to(REPO_ROOT)
                     else example_path).as_posix()
    return (example_shown,)


@app.cell(hide_code=True)
def _(example_shown, mo, pprint, valid_listing):
    _listing = pprint.pformat(valid_listing, width=88, sort_dicts=False).replace("\n", "\n    ")
    mo.md(f"""
    ## 6. Run it for real

    Two commands, from the repository's folder:

    ```bash
    uv run python -m mlcourse.service train      # a few seconds; writes outputs/card_pricer/
    uv run python -m mlcourse.service serve      # http://127.0.0.1:8000 (this machine only)
    ```

    `serve` prints where it listens and one JSON line per request; stop it with Ctrl+C.
    If port 8000 is taken by another program, it says so and exits (code 3): add
    `--port 8080`, and use that port in the URLs below. Without a valid model it exits
    (code 2) and names the command that trains one.

    The interactive documentation is at `http://127.0.0.1:8000/docs` (generated from the
    pydantic models: try a request there). From another terminal, these two lines work
    unchanged in bash, PowerShell and cmd (on Windows, type `curl.exe`: in Windows
    PowerShell, `curl` is another command):

    ```bash
    curl -s http://127.0.0.1:8000/ready
    curl -s -X POST http://127.0.0.1:8000/predict -H "Content-Type: application/json" -d "@{example_shown}"
    ```

    `-d "@file"` sends a file as the body; this notebook has just written the example
    listing to `{example_shown}`. Leave out the `-H` header and the service answers the
    422 of section 4. From Python, with `httpx` (its `json=` sets that header for you):

    ```python
    import httpx

    listing = {_listing}

    with httpx.Client(base_url="http://127.0.0.1:8000", timeout=5) as client:
        response = client.post("/predict", json=listing)
        if response.status_code == 422:
            print(response.json()["detail"])     # one entry per field to fix
        response.raise_for_status()
        print(response.json()["price_usd"])
    ```

    The server binds to `127.0.0.1` by default, so only this machine can reach it; to
    expose it you must say so (`--host 0.0.0.0`), and in a real deployment it sits behind a
    gateway that adds TLS and authentication. Below, the exact `serve` command runs as a
    separate process on a free loopback port; the cell calls it (a readiness check, one
    prediction, then the requests that section 7 analyses) and stops it:
    """)
    return


@app.cell
def _(
    httpx,
    latency,
    os,
    output_dir,
    pd,
    read_log,
    runner,
    service_model,
    test_rows,
    valid_listing,
):
    _single_requests, _health_requests, _batch_repeats = 1_000, 100, 6
    _log = output_dir() / "service_logs" / "module5_process.jsonl"
    if _log.exists():
        _log.unlink()
    _payloads = service_model.request_payloads(test_rows.head(1_000))
    batch_sizes = [1, 10, 100, 1_000]
    _server = runner.ServerProcess(service_model.default_model_dir(), _log)
    _load_before = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    with _server, httpx.Client(base_url=_server.base_url, timeout=30) as _http:
        process_ready = _http.get("/ready").json()
        process_answer = _http.post("/predict", json=valid_listing).json()
        _next = iter(range(10**9))
        single_ms = latency.time_calls(
            lambda: _http.post("/predict", json=_payloads[next(_next) % len(_payloads)]).raise_for_status(),
            repeats=_single_requests, warmup=5)
        health_ms = latency.time_calls(lambda: _http.get("/health").raise_for_status(), repeats=_health_requests)
        _rows = []
        for _size in batch_sizes:
            _body = {"listings": _payloads[:_size]}
            _times = latency.time_calls(lambda: _http.post("/predict/batch", json=_body).raise_for_status(),
                                        repeats=_batch_repeats)
            _rows += [{"batch size": _size, "ms": t} for t in _times]
    machine_load = {"cores": os.cpu_count() or 1, "load average": max(
        _load_before, os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan"))}
    process_command = " ".join(["python", *_server.command[1:]])
    process_exit_code = _server.process.returncode
    process_startup_seconds = _server.startup_seconds
    process_probes = dict(_server.startup_probes)
    process_log = read_log(_log)
    batch_summary = (pd.DataFrame(_rows).groupby("batch size")["ms"].median().rename("median ms per request")
                     .to_frame().assign(**{"ms per listing": lambda d: d["median ms per request"] / d.index}))
    return (
        batch_summary,
        health_ms,
        machine_load,
        process_answer,
        process_command,
        process_exit_code,
        process_log,
        process_probes,
        process_ready,
        process_startup_seconds,
        single_ms,
    )


@app.cell(hide_code=True)
def _(
    json,
    mo,
    process_answer,
    process_command,
    process_exit_code,
    process_log,
    process_probes,
    process_ready,
    process_startup_seconds,
):
    _refused = process_probes.get("refused", 0)
    _not_ready = process_probes.get("503", 0)
    _probes = sum(process_probes.values())
    mo.md(f"""
    `{process_command}` took **{process_startup_seconds:.1f} s** from process start to a
    200 on `/ready` (imports, model load, self-test, warm-up): that is this service's cold
    start. Meanwhile the runner probed `/ready` {_probes} times: {_refused} connection(s)
    refused (the port was not listening yet), {_not_ready} answer(s) 503, then a 200.
    {"As section 5 said, under uvicorn 'not ready' shows as a refused connection." if _not_ready == 0 and _refused
     else "Some probes saw the app answer before it was ready."}
    Readiness said `{json.dumps(process_ready)}`; the prediction:

    ```json
    {json.dumps(process_answer, indent=2)}
    ```

    Stopped with SIGINT (what Ctrl+C sends), it shut down {"cleanly" if process_exit_code == 0 else "with an error"}
    (exit code {process_exit_code}), and its log file holds {len(process_log)} lines, one per
    request, for example:

    ```json
    {json.dumps(process_log[-1]) if process_log else "(none)"}
    ```
    """)
    return


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    ## 7. Inference latency

    Latency is a distribution, not a number. Users feel the slow tail, so a service-level
    objective (SLO) is written on a percentile: "95% of requests answer within 100 ms"
    (p95 < 100 ms). Measure the way callers experience it: over HTTP, many requests,
    sequentially (so that we see the cost of one request, not queueing), against a server
    in its own process (a server in the same process as its client shares the Python
    interpreter lock with it and measures slower than reality). That is what section 6
    did: single listings from the most recent period, then batches of growing size.
    """)
    return


@app.cell
def _(alt, batch_summary):
    _data = batch_summary.reset_index().melt("batch size", var_name="measure", value_name="ms")
    alt.Chart(_data).mark_line(point=True).encode(
        x=alt.X("batch size:Q", scale=alt.Scale(type="log"), title="listings per request (log scale)"),
        y=alt.Y("ms:Q", scale=alt.Scale(type="log"), title="milliseconds (log scale)"),
        color=alt.Color("measure:N", title=None),
        tooltip=["batch size", "measure", alt.Tooltip("ms:Q", format=".2f")],
    ).properties(height=240, width=460, title="One request of n listings: total time and time per listing")
    return


@app.cell(hide_code=True)
def _(batch_summary, latency, machine_load, mo, single_ms):
    _s = latency.summarize(single_ms)
    _beyond = latency.samples_beyond(_s["n"], 99)
    if latency.quotable(_s["n"], 99):
        _tail = f"p99 **{_s['p99']:.1f} ms** ({_beyond} requests were slower), max {_s['max']:.1f} ms"
    else:
        _tail = (f"and the slowest took {_s['max']:.1f} ms (a p99 of {_s['n']} requests would rest on the "
                 f"{_beyond} slowest, so it is not quoted)")
    _load, _cores = machine_load["load average"], machine_load["cores"]
    _busy = (f"The machine was busy (load average {_load:.1f} on {_cores} cores: other programs wanted the "
             "cores too), so these numbers are higher than on a quiet machine."
             if _load > _cores else f"The machine was quiet enough (load average {_load:.1f} on {_cores} cores).")
    _per = batch_summary["ms per listing"]
    _one = batch_summary.loc[1, "median ms per request"]
    _largest = int(batch_summary.index.max())
    _full = batch_summary.loc[_largest, "median ms per request"]
    _marginal = max(_full - _one, 0.0) / (_largest - 1)
    _gain = _per.loc[1] / _per.loc[_largest]
    _advice = (f"If your callers can batch (a page of search results, a seller uploading a collection), let "
               f"them: the fixed cost of a request is worth about {_one / _marginal:.0f} listings' marginal work."
               if _gain > 3 and _marginal > 0 else
               "In this run batching bought little: check the machine's load before concluding anything.")
    mo.md(f"""
    **Single listings**, {_s['n']:,} sequential requests over HTTP: p50
    **{_s['p50']:.1f} ms**, p95 **{_s['p95']:.1f} ms**, {_tail}. {_busy}

    **Batches**: a request of one listing takes {_one:.1f} ms; a request of
    {_largest:,} takes {_full:.0f} ms, which is {_per.loc[_largest]:.3f} ms per listing,
    **{_gain:.0f}x {"cheaper" if _gain >= 1 else "dearer"} per listing** than one at a
    time. Each listing added to a batch costs about {_marginal:.3f} ms; everything else
    is paid once per request, whatever its size: the HTTP exchange, FastAPI's handling,
    and the fixed overhead of every call into pandas, scikit-learn and XGBoost. {_advice}
    """)
    return


@app.cell
def _(
    health_ms,
    latency,
    model,
    np,
    pd,
    process_log,
    single_ms,
    valid_listing,
):
    _stage_times = latency.stage_times(model, valid_listing, repeats=30)
    stage_ms = {name: float(values.min()) for name, values in _stage_times.items()}
    _rounds = np.sum(list(_stage_times.values()), axis=0)  # each round: all the steps once

    def _logged(path: str, count: int) -> np.ndarray:
        return np.array([r["latency_ms"] for r in process_log if r.get("path") == path and r["status"] == 200][-count:])

    _predict_server, _health_server = _logged("/predict", len(single_ms)), _logged("/health", len(health_ms))
    latency_layers = pd.DataFrame([
        {"what is timed": "the model's steps, in process (the chart's bars)", "fastest ms": sum(stage_ms.values()),
         "median ms": np.median(_rounds)},
        {"what is timed": "POST /predict, by the server's log", "fastest ms": _predict_server.min(),
         "median ms": np.median(_predict_server)},
        {"what is timed": "POST /predict, by the client", "fastest ms": single_ms.min(), "median ms": np.median(single_ms)},
        {"what is timed": "GET /health, by the server's log", "fastest ms": _health_server.min(),
         "median ms": np.median(_health_server)},
        {"what is timed": "GET /health, by the client", "fastest ms": health_ms.min(), "median ms": np.median(health_ms)},
    ]).set_index("what is timed").round(3)
    return latency_layers, stage_ms


@app.cell
def _(alt, latency_layers, mo, pd, stage_ms):
    _data = pd.DataFrame({"step": list(stage_ms), "ms": list(stage_ms.values())})
    _fast = latency_layers["fastest ms"]
    _model = _fast.iloc[0]
    _server, _client = _fast["POST /predict, by the server's log"], _fast["POST /predict, by the client"]
    _health = _fast["GET /health, by the client"]
    _framework = max(_server - _model, 0.0)
    _http = max(_client - _server, 0.0)
    _trees = stage_ms["run the trees (xgboost)"]
    _features = stage_ms["compute features (shared feature_arrays)"] + stage_ms["encode categories (fitted encoder)"]
    _largest = max(stage_ms, key=stage_ms.get)
    _median = latency_layers["median ms"]
    _noisy = _median["POST /predict, by the client"] > 2 * _client
    _verdict = ("Most of a single prediction's time is not the model: it is the HTTP exchange and the framework "
                "around it, the same for every request." if _model < _client / 2 else
                "Most of a single prediction's time is the model's own work.")
    mo.vstack([
        alt.Chart(_data).mark_bar().encode(
            x=alt.X("ms:Q", title="milliseconds (fastest run)"),
            y=alt.Y("step:N", sort=None, title=None),
            tooltip=["step", alt.Tooltip("ms:Q", format=".3f")],
        ).properties(height=180, width=460, title="Where one prediction's time goes (in process)"),
        latency_layers,
        mo.md(f"""
    Three clocks, three different things. The chart times the model's steps one by one
    inside this notebook: **{_model:.2f} ms** in all. The trees take {_trees:.2f} ms
    ({_trees / _model:.0%}), computing and encoding the features {_features:.2f} ms
    ({_features / _model:.0%}); the largest step is *{_largest}*. The server's log
    times a request from the moment the middleware receives it to the moment the response
    leaves it. The client times what the caller waits for. On the fastest runs (the ones
    other programs disturbed least), the caller's {_client:.2f} ms split into:

    - **{_model:.2f} ms ({_model / _client:.0%}) the model's steps**: validation, features,
      trees, the response object;
    - **{_framework:.2f} ms ({_framework / _client:.0%}) FastAPI and our middleware**, inside
      the server: reading the body and parsing its JSON, handing the endpoint to the thread
      pool and back, checking the response against its model, serialising it, writing the
      log line;
    - **{_http:.2f} ms ({_http / _client:.0%}) HTTP outside the middleware**: the client
      library building the request, the loopback socket both ways, uvicorn parsing it.

    `GET /health`, an endpoint that does nothing, costs a caller {_health:.2f} ms: the
    floor of any request to this service, {_health / _client:.0%} of a prediction. {_verdict}
    {"The medians in the table are more than twice the fastest runs: the machine was busy, and every layer waited for a core." if _noisy else "The medians in the table tell the same story with a little more noise."}

    The model's own steps were once the expensive part here. A one-row pandas DataFrame
    pays pandas' fixed overhead on every column: building one per request used to cost
    this service several times more than the trees. The fix went into the *shared*
    feature module (`features.feature_arrays` works on plain columns, and training calls it
    too), not into a second "fast" version for serving, which would invite exactly the
    skew of section 3.
    """),
    ])
    return


@app.cell
def _(features, latency, model, np, pd, test_rows):
    _one = test_rows.head(1)[features.INPUT_COLUMNS]
    _many = test_rows.head(1_000)[features.INPUT_COLUMNS]
    _matrix_one = model.preprocessor.transform(features.feature_frame(_one))
    _matrix_many = model.preprocessor.transform(features.feature_frame(_many))
    _actual = test_rows["price_usd"].to_numpy()
    _all = model.preprocessor.transform(features.feature_frame(test_rows[features.INPUT_COLUMNS]))
    _rows = []
    for _trees in [10, 25, 50, 100, model.n_trees]:
        _size = len(model.booster[0:_trees].save_raw("json")) / 1000
        _pred = np.exp(model.booster.inplace_predict(_all, iteration_range=(0, _trees)))
        _rows.append({
            "trees": _trees, "model kB": _size,
            # the fastest of several runs, like the stage chart: small timings are easily inflated by other processes
            "trees only, 1 listing": float(np.min(latency.time_calls(
                lambda t=_trees: model.booster.inplace_predict(_matrix_one, iteration_range=(0, t)), 20))),
            "trees only, 1,000 listings": float(np.min(latency.time_calls(
                lambda t=_trees: model.booster.inplace_predict(_matrix_many, iteration_range=(0, t)), 5))),
            "test MAE $": float(np.mean(np.abs(_pred - _actual))),
        })
    model_sizes = pd.DataFrame(_rows)
    model_sizes
    return (model_sizes,)


@app.cell
def _(alt, batch_summary, latency_layers, mo, model_sizes):
    _long = model_sizes.melt(["trees", "model kB", "test MAE $"], var_name="what is timed", value_name="ms")
    _latency = alt.Chart(_long).mark_line(point=True).encode(
        x=alt.X("model kB:Q", title="model size (kB of JSON)"),
        y=alt.Y("ms:Q", title="ms (fastest run)", scale=alt.Scale(type="log")),
        color=alt.Color("what is timed:N", title=None),
        tooltip=["trees", "what is timed", alt.Tooltip("ms:Q", format=".3f")],
    ).properties(height=220, width=340, title="Latency against model size")
    _error = alt.Chart(model_sizes).mark_line(point=True, color="#444").encode(
        x=alt.X("trees:Q", title="trees"),
        y=alt.Y("test MAE $:Q", title="test MAE (USD)", scale=alt.Scale(zero=False)),
        tooltip=["trees", alt.Tooltip("test MAE $:Q", format=".2f")],
    ).properties(height=220, width=240, title="Error against model size")
    _small, _full = model_sizes.iloc[0], model_sizes.iloc[-1]
    _added_one = max(_full["trees only, 1 listing"] - _small["trees only, 1 listing"], 0.0)
    _added_many = max(_full["trees only, 1,000 listings"] - _small["trees only, 1,000 listings"], 0.0)
    _request = latency_layers.loc["POST /predict, by the client", "fastest ms"]
    _batch = batch_summary["median ms per request"].iloc[-1]
    _batch_size = int(batch_summary.index[-1])
    _single_matters, _batch_matters = _added_one > 0.2 * _request, _added_many > 0.2 * _batch
    _lesson = ("Model size is a latency lever for batch scoring; for single requests, look at the fixed "
               "costs first." if _batch_matters and not _single_matters else
               "Here model size is a lever for single requests too." if _single_matters else
               "At this size the trees are a small share even of a large batch: the model could grow before "
               "latency became the reason not to.")
    mo.vstack([
        alt.hconcat(_latency, _error),
        mo.md(f"""
    The same booster cut after its first *n* trees is a smaller model. Going from
    {int(_small['trees'])} to {int(_full['trees'])} trees makes the file
    {_full['model kB'] / _small['model kB']:.0f} times larger. For one listing the extra
    trees add {_added_one:.2f} ms to a request that costs a caller at least
    {_request:.2f} ms ({_added_one / _request:.0%}); for a batch of {_batch_size:,} they
    add {_added_many:.1f} ms to a request of about {_batch:.0f} ms
    ({_added_many / _batch:.0%}). Meanwhile the test error falls from
    ${_small['test MAE $']:.2f} to ${_full['test MAE $']:.2f}. {_lesson}
    """),
    ])
    return


@app.cell
def _(latency, np, schemas, service_model, time, valid_listing):
    _start = time.perf_counter()
    _fresh = service_model.load_model()
    load_ms = (time.perf_counter() - _start) * 1000
    _columns = service_model.listings_columns([schemas.CardListing.model_validate(valid_listing)])
    _start = time.perf_counter()
    _fresh.predict_prices(_columns)  # what the endpoint calls
    cold_ms = (time.perf_counter() - _start) * 1000
    warm_ms = float(np.median(latency.time_calls(lambda: _fresh.predict_prices(_columns), 20, warmup=0)))
    return cold_ms, load_ms, warm_ms


@app.cell
def _(mo):
    slo_ms = mo.ui.slider(10, 300, value=100, step=5, label="SLO threshold (ms)", show_value=True)
    slo_percentile = mo.ui.dropdown(options=["p50", "p95", "p99"], value="p95", label="on the percentile")
    mo.hstack([slo_ms, slo_percentile], justify="start")
    return slo_ms, slo_percentile


@app.cell
def _(
    cold_ms,
    latency,
    load_ms,
    mo,
    process_startup_seconds,
    single_ms,
    slo_ms,
    slo_percentile,
    warm_ms,
):
    _s = latency.summarize(single_ms)
    _measured = _s[slo_percentile.value]
    _met = _measured < slo_ms.value
    _share = float((single_ms < slo_ms.value).mean())
    _percent = float(slo_percentile.value[1:])
    _caveat = ("" if latency.quotable(_s["n"], _percent) else
               f" Only {latency.samples_beyond(_s['n'], _percent)} requests lie beyond {slo_percentile.value}: "
               "that is the largest few measurements, not a percentile. Measure more before you trust it.")
    _ratio = cold_ms / warm_ms
    if _ratio >= 2:
        _cold = (f"The first call cost {_ratio:.0f} times a warm one: work the libraries do once, on first "
                 "use (allocating buffers, preparing the trees for prediction).")
    elif _ratio >= 1.3:
        _cold = f"The first call cost {_ratio:.1f} times a warm one: a small first-use cost."
    else:
        _cold = (f"In this run the first call cost about the same as the next ones ({_ratio:.1f} times): this "
                 "process had already predicted with another copy of the model, so the libraries' one-off "
                 "set-up was done; and one timing is only as steady as the machine is quiet.")
    mo.vstack([
        mo.callout(mo.md(
            f"**SLO {slo_percentile.value} < {slo_ms.value} ms: {'met' if _met else 'MISSED'}.** Measured "
            f"{slo_percentile.value} = {_measured:.1f} ms over {_s['n']:,} single requests; "
            f"{_share:.1%} of them answered within {slo_ms.value} ms.{_caveat}"), kind="success" if _met else "danger"),
        mo.md(f"""
    Move the threshold and the percentile: an SLO is only meaningful with both, and a
    percentile only with enough requests beyond it (a p99 needs about a thousand
    measurements, ten of them in the tail). Within it, the tail matters: the slowest
    request of this run took {_s['max']:.1f} ms, and on a busy server the tail grows first
    (garbage collection, another process on the same cores).

    **Cold versus warm.** Loading the model from disk took {load_ms:.0f} ms. The first
    prediction of the freshly loaded model took {cold_ms:.1f} ms, the following ones a
    median of {warm_ms:.1f} ms. {_cold} The real cold start is a new process: importing
    pandas, scikit-learn and XGBoost, loading the model and warming up took
    {process_startup_seconds:.1f} s in section 6, {process_startup_seconds * 1000 / warm_ms:,.0f}
    warm predictions' worth. That is why the service warms up before it opens its port,
    why the readiness probe exists, and why autoscaling needs headroom: a replica started
    at the peak joins seconds after the peak began.
    """),
    ])
    return


@app.cell
def _(mo):
    canary_share = mo.ui.slider(0.05, 0.5, value=0.2, step=0.05, label="share of sellers on the canary",
                                show_value=True)
    mo.vstack([
        mo.md(r"""
    ## 8. Rolling out a new model safely

    A new model is a deployment like any other, with a worse failure mode: it can be
    *wrong* without being *down*. Every safe rollout rests on four habits:

    - **Versioned, immutable artifacts.** The model file never changes under a version;
      the version is a hash of its bytes, and every response and every log line carries it
      (`model_version`). Rolling back means serving the previous version's files, which
      still exist.
    - **Shadow first.** The candidate receives a copy of live traffic and its answers are
      logged, not returned. It is free of risk to users (nobody sees its answers), not free
      to run: every request is scored twice, so inference compute doubles while it lasts.
      It catches crashes, latency and wild predictions before anyone sees them.
    - **Canary.** A small share of callers gets the candidate. The share is sticky per
      caller (a hash of the seller id), so nobody flips between two prices for the same
      card, and it ramps up (5%, 20%, 50%, 100%) while guardrails hold: error rate, p95
      latency, and the prediction quality once the listings sell.
    - **A/B test** when the question is "is it better?" rather than "is it safe?": a
      planned experiment with a metric, a sample size and a decision rule fixed in advance.

    Below, a canary for a candidate someone proposes because it is four times smaller:
    the same model cut after 50 trees. The most recent listings play the traffic (the
    listing id stands in for the seller id), each routed by `rollout.assign_variant`.
    """),
        canary_share,
    ])
    return (canary_share,)


@app.cell
def _(
    canary_share,
    features,
    mean_interval,
    model,
    np,
    pd,
    rollout,
    test_rows,
):
    _frame = test_rows[features.INPUT_COLUMNS]
    _actual = test_rows["price_usd"].to_numpy()
    _stable = model.predict_frame(_frame)["price_usd"].to_numpy()
    _candidate = model.predict_frame(_frame, n_trees=50)["price_usd"].to_numpy()
    _variant = np.array([rollout.assign_variant(str(k), canary_share.value, salt="candidate-50-trees")
                         for k in test_rows["listing_id"]])
    _errors = np.abs(np.where(_variant == rollout.CANARY, _candidate, _stable) - _actual)
    canary_groups = {v: _errors[_variant == v] for v in (rollout.STABLE, rollout.CANARY)}
    canary_difference = rollout.bootstrap_difference(canary_groups[rollout.STABLE], canary_groups[rollout.CANARY])
    offline_difference = float(np.mean(np.abs(_candidate - _actual)) - np.mean(np.abs(_stable - _actual)))
    _days = (test_rows["listing_date"].max() - test_rows["listing_date"].min()).days + 1
    listings_per_day = len(test_rows) / _days
    ab_effect = 0.05 * float(np.mean(canary_groups[rollout.STABLE]))
    ab_samples = rollout.samples_per_arm(float(np.std(_errors)), ab_effect)
    canary_summary = pd.DataFrame([
        dict(zip(("variant", "listings", "MAE $", "low", "high"), (v, len(e), *mean_interval(e))))
        for v, e in canary_groups.items()])
    return (
        ab_effect,
        ab_samples,
        canary_difference,
        canary_groups,
        canary_summary,
        listings_per_day,
        offline_difference,
    )


@app.cell
def _(
    alt,
    canary_difference,
    canary_share,
    canary_summary,
    mo,
    offline_difference,
):
    _bars = alt.Chart(canary_summary).mark_bar(opacity=0.7).encode(
        x=alt.X("MAE $:Q", title="mean absolute error on the listings it priced (USD)"),
        y=alt.Y("variant:N", title=None),
        tooltip=["variant", "listings", alt.Tooltip("MAE $:Q", format=".3f")])
    _ci = alt.Chart(canary_summary).mark_errorbar().encode(x="low:Q", x2="high:Q", y="variant:N")
    _worse = canary_difference["lower"] > 0
    _better = canary_difference["upper"] < 0
    _verdict = ("roll back: the canary is worse" if _worse else
                "promote: the canary is better" if _better else "keep the canary running: no verdict yet")
    mo.vstack([
        (_bars + _ci).properties(height=110, width=460, title="Canary versus stable (95% intervals)"),
        mo.callout(mo.md(
            f"With {canary_share.value:.0%} of sellers on the canary, the canary's MAE minus the stable MAE is "
            f"**${canary_difference['difference']:+.3f}** (95% bootstrap interval "
            f"${canary_difference['lower']:+.3f} to ${canary_difference['upper']:+.3f}): **{_verdict}**."),
            kind="danger" if _worse else "success" if _better else "neutral"),
        mo.md(f"""
    Because this is a course, we also know the answer on *all* the listings: the candidate
    is ${offline_difference:+.3f} worse per listing. Move the slider: with a small canary
    the interval is wide and the verdict can stay open; with a larger one the degradation
    is detected sooner, at the price of exposing more sellers to a worse model. In
    production the labels (sale prices) arrive days after the prediction, so quality
    guardrails lag; latency and error rates are the guardrails you can watch in minutes.
    """),
    ])
    return


@app.cell
def _(ab_effect, ab_samples, canary_groups, listings_per_day, mo, rollout):
    _stable_mae = canary_groups[rollout.STABLE].mean()
    _busy_market = 5_000  # listings a day sold on a large marketplace (an assumption, for scale)
    mo.md(f"""
    **Designing the A/B test before running it.** Suppose the candidate is meant to be
    *better*, and a 5% improvement in MAE (${ab_effect:.2f} on today's ${_stable_mae:.2f})
    is worth shipping. With the spread of errors observed above, detecting that difference
    with 5% false-positive risk and 80% power needs **{ab_samples:,} sold listings per
    arm**. At the {listings_per_day:.0f} listings a day of this market, split 50/50, that is
    about **{2 * ab_samples / listings_per_day:.0f} days** of traffic, plus the delay until
    the listings sell: this market is a sample, too small for such a test. A marketplace
    selling {_busy_market:,} listings a day would need
    {2 * ab_samples / _busy_market:.0f} days. Small improvements need a lot of data; decide
    what difference is worth detecting *before* you start. The plan, written down first:

    | decision | choice |
    |---|---|
    | unit of randomisation | the seller (sticky hash), not the request: a seller must not see two prices for one card |
    | primary metric | MAE on listings that sold, measured when they sell |
    | guardrails | p95 latency, 5xx rate, 422 rate, interval coverage; breach means stop |
    | sample size and duration | {ab_samples:,} per arm; at a 50/50 split, {2 * ab_samples / _busy_market:.0f} days at {_busy_market:,} a day |
    | decision rule | ship if the 95% interval of the difference is entirely below zero; no peeking before the planned size |
    """)
    return


@app.cell
def _(features, model, np, pricing):
    _train_end = model.metadata["rows"]["train"]
    _window = pricing.iloc[_train_end - 4_000:]
    _pred = model.predict_frame(_window[features.INPUT_COLUMNS])["price_usd"].to_numpy()
    monthly_error = (
        _window.assign(log_error=np.log(_pred / _window["price_usd"].to_numpy()),
                       abs_pct_error=np.abs(_pred / _window["price_usd"].to_numpy() - 1),
                       month=_window["listing_date"].dt.to_period("M").dt.to_timestamp(),
                       period=np.where(np.arange(len(_window)) < 4_000, "training period (fitted)",
                                       "after training"))
        .groupby(["month", "period"], as_index=False)
        .agg(listings=("log_error", "size"), bias=("log_error", "mean"),
             median_abs_pct_error=("abs_pct_error", "median"))
    )
    # How the bias moved after training, in words computed from the months above.
    _after = monthly_error[monthly_error["period"] == "after training"].reset_index(drop=True)
    _bias, _month = _after["bias"], _after["month"].dt.strftime("%b %Y")
    _steps = _bias.diff().iloc[1:]
    _total = _bias.iloc[-1] - _bias.iloc[0]
    _big = _steps.abs().idxmax()
    _step = _steps[_big]
    _against = int((np.sign(_steps) == -np.sign(_total)).sum())
    if _total < 0:
        _trend = "it underprices more at the end" if _bias.iloc[-1] < 0 else "its overpricing shrinks"
    elif _total > 0:
        _trend = "it overprices more at the end" if _bias.iloc[-1] > 0 else "its underpricing shrinks"
    else:
        _trend = "no net drift"
    if _against == 0:
        _shape = f"a little further each month, no month moving it more than {abs(_step):.3f}"
    else:
        _share = _step / _total if _total else 0.0
        _shape = (f"not in a straight line: {_against} of its {len(_steps)} month-to-month moves went the other "
                  f"way, and the largest, {_month[_big - 1]} to {_month[_big]} ({_step:+.3f}), "
                  + (f"is {_share:.0%} of the whole drift on its own" if _share > 0 else "went against the drift"))
    bias_drift = {"first": _bias.iloc[0], "last": _bias.iloc[-1], "first_month": _month.iloc[0],
                  "last_month": _month.iloc[-1], "months": len(_after), "trend": _trend, "shape": _shape,
                  "steady": _against == 0}
    return bias_drift, monthly_error


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    ## 9. Pause and think

    Try to answer each question before you open the discussion.
    """)
    return


@app.cell
def _(
    batch_rate,
    latency,
    mo,
    model,
    model_seconds,
    model_sizes,
    single_ms,
    stage_ms,
):
    _s = latency.summarize(single_ms)
    _features = stage_ms["compute features (shared feature_arrays)"] + stage_ms["encode categories (fitted encoder)"]
    _trained = (f"this notebook trained its model in {model.training_seconds:.1f} s" if model.training_seconds
                else f"this notebook loaded its trained model in {model_seconds:.1f} s")
    mo.vstack([
        mo.md("**1. Training takes 1 hour. Inference must complete in under 100 ms. How do you approach this?**"),
        mo.accordion({"Discussion": mo.md(f"""
    First, separate them: training is an offline batch job, and its duration constrains how
    often you can retrain, not how fast you answer. Inference runs a *trained* model, which
    is orders of magnitude cheaper: {_trained} and it answers a single request in a p95 of
    {_s['p95']:.1f} ms over HTTP. Then work the budget like an engineer:

    - **Measure where the time goes** before optimising: here the features took
      {_features:.1f} ms of a request and the trees {stage_ms['run the trees (xgboost)']:.2f} ms.
    - **Load once, keep in memory** (never load the model per request), warm up before
      taking traffic.
    - **Make the model smaller** if the model is the cost: the size chart shows what fewer
      trees cost in accuracy ({model_sizes['test MAE $'].iloc[0]:.2f} vs
      {model_sizes['test MAE $'].iloc[-1]:.2f} USD MAE) and what they save.
    - **Precompute** what does not depend on the request (card-level features, or whole
      answers: batch scoring ran at {batch_rate:,.0f} listings/s) and look it up.
    - **Batch** when callers can wait a little; **cache** frequent identical requests.
    - If one hour of training is itself a problem, that is a question of retraining
      cadence (question 4), not of latency. The model `{model.version}` was trained once
      and serves every request.
    """)}),
    ])
    return


@app.cell
def _(mo, n_bad_answered_422, n_bad_requests):
    _answered = (f"all {n_bad_requests} bad requests of section 4 got a 422 naming the field"
                 if n_bad_answered_422 == n_bad_requests else
                 f"{n_bad_answered_422} of the {n_bad_requests} bad requests of section 4 got a 422 naming the field "
                 "(the others are bugs to fix)")
    mo.vstack([
        mo.md("**2. A user sends malformed input that crashes your API. Who is responsible: you or the user?**"),
        mo.accordion({"Discussion": mo.md(f"""
    You are. The user is responsible for *fixing* their input; you are responsible for the
    API never crashing on it and for telling them exactly what to fix. Malformed input is
    not an exceptional event for a public interface: it is a certainty (typos, old client
    versions, a NaN from someone's spreadsheet, an attacker). The contract is yours:
    {_answered}, and the fuzzers
    in the test suite throw hundreds more at it on every run. A crash on bad input is also a
    security problem (a request that kills a worker is a denial-of-service attack) and an
    operations problem (a 500 pages *you* for *their* mistake). The division of labour:
    validate at the boundary, reject with a specific message, log it (which fields do
    callers get wrong?), and keep 500 for your own bugs.
    """)}),
    ])
    return


@app.cell
def _(alt, bias_drift, mo, model, monthly_error):
    _after = monthly_error[monthly_error["period"] == "after training"]
    _chart = alt.Chart(monthly_error).mark_line(point=True).encode(
        x=alt.X("month:T", title="listing month"),
        y=alt.Y("bias:Q", title="mean log error (below 0: underpriced)"),
        color=alt.Color("period:N", title=None),
        tooltip=["month", "listings", alt.Tooltip("bias:Q", format="+.3f"),
                 alt.Tooltip("median_abs_pct_error:Q", format=".1%")],
    ).properties(height=200, width=460, title="The model's bias, month by month")
    mo.vstack([
        mo.md("**3. Your model was trained on 2024 data. It is now 2025. What changes might break it?**"),
        mo.accordion({"Discussion": mo.vstack([_chart, mo.md(f"""
    Our model was trained on listings up to {model.metadata['training_window']['train_to']}.
    After that date its bias goes from {bias_drift['first']:+.3f} ({bias_drift['first_month']}) to
    {bias_drift['last']:+.3f} ({bias_drift['last_month']}) on the log scale ({bias_drift['trend']}),
    {bias_drift['shape']}. Its median error is {_after['median_abs_pct_error'].iloc[0]:.1%} in the
    first month and {_after['median_abs_pct_error'].iloc[-1]:.1%} in the last. Why: the market
    index kept rising, and a tree ensemble cannot extrapolate `listing_day`: every date after the training window
    looks like its last day. What else breaks a pricing model in a new year:

    - **new categories**: a new era or rarity (the contract refuses them with a 422, a loud
      failure, better than a silent guess, but it also means the newest, most traded cards
      cannot be priced until you retrain);
    - **concept drift**: the same card is worth something else (hype, reprints, a
      tournament ban); the new-release premium of the newest sets;
    - **input drift**: a different mix of sets and conditions, a seller population that
      lists more vintage cards;
    - **upstream changes**: the feed switches currency, a field changes meaning (Module 1).

    The tools: monitor the inputs and the errors by month (Module 6), keep the training
    window in the model's metadata (`/model` returns it), and retrain.
    """)])}),
    ])
    return


@app.cell
def _(bias_drift, mo, model):
    _alarm = ("A month-on-month alarm sees that noise along with the trend: set tight, it fires on months "
              "that undo themselves the next month; set loose, it waits for a drift that builds slowly."
              if not bias_drift["steady"] else
              "No single month moves enough to trip a month-on-month alarm, yet the months add up.")
    _cost = (f"{model.training_seconds:.0f} s of compute" if model.training_seconds
             else "seconds of compute")
    mo.vstack([
        mo.md("**4. When do you retrain: (a) on a schedule, (b) when accuracy drops, (c) when data drifts? Why?**"),
        mo.accordion({"Discussion": mo.md(f"""
    All three, for different reasons, and each alone fails somewhere:

    - **(b) accuracy** is what you care about, but it arrives late: a listing's true
      price is known only when it sells, days or weeks later, and with few sales it is noisy.
      Use it to *confirm*.
    - **(c) drift** in the inputs is visible immediately (Module 6 will measure it), so it is
      an early warning, but not every drift hurts the model, and drift-triggered retraining
      can chase noise. Use it to *investigate*.
    - **(a) a schedule** is the floor: the market moves whether or not an alarm fires. In
      the chart above, over the {bias_drift['months']} months after training, the bias went
      from {bias_drift['first']:+.3f} to {bias_drift['last']:+.3f}, {bias_drift['shape']}.
      {_alarm} A schedule retrains anyway. Retraining this model is one command
      (`uv run python -m mlcourse.service train`) and {_cost}, so the cost of retraining
      is not the training: it is the validation and the rollout (section 8) that every new
      version must pass.

    A common answer in practice: a scheduled retrain (here, monthly would be cheap), an
    accuracy alarm when enough labels arrive, a drift alarm that pages a human, and the same
    canary process for every new version whatever triggered it.
    """)}),
    ])
    return


@app.cell
def _(latency, mo, n_bad_requests, single_ms):
    _s = latency.summarize(single_ms)
    mo.md(f"""
    ## Key takeaways

    - **Pick the serving pattern from the use case**: batch when the inputs are known in
      advance, online when they exist only at request time, streaming when nobody waits.
    - **The service is software**: a package with a contract (pydantic), an app factory,
      a command to run it, tests and a benchmark, not notebook cells.
    - **One feature implementation** for training and serving; a second one is skew that
      no offline test catches.
    - **Safe model files** (no pickles), checked at start-up with a self-test; no valid
      model, no service.
    - **Bad input is a 422 naming the field, never a 500**: {n_bad_requests} kinds of bad
      requests here, and a fuzzer in the tests; NaN needs a custom handler.
    - **Latency is a distribution**: write the SLO on a percentile (here p95
      {_s['p95']:.1f} ms), measure over HTTP, find where the time goes before optimising.
    - **Log one structured line per request** with the model version: Module 6 starts
      from there.
    - **Roll out like it can be wrong**: versions, shadow, sticky canary, planned A/B test.

    **Next:** open `exercises/exercises_05.py`: write the validation model for graded
    slabs (5.1), harden a small app against NaN and bad input (5.2), and score a batch
    within a latency budget (5.3). Module 6, monitoring this service in production, is
    coming next (the README's module table says which modules are ready).
    """)
    return


if __name__ == "__main__":
    app.run()
