"""The HTTP service: FastAPI routes over the scoring engine."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Annotated, Any, NoReturn

from fastapi import Body, FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import ValidationError

import sandbox
from reward_server import __version__, compat
from reward_server.auth import ApiKeyAuth, load_keys
from reward_server.body_limit import BodySizeLimit
from reward_server.dashboard import router as dashboard_router
from reward_server.engine import Engine
from reward_server.fast_lane import FastLane, Handler, internal_error
from reward_server.misconfiguration import UnresolvedVerifier, failed_batch
from reward_server.models import (
    ERROR_RESPONSES,
    WARNING_HEADER,
    Item,
    Result,
    RewardsRequest,
    RewardsResponse,
    VerifierInfo,
)
from reward_server.observability import RequestContext, access_log
from reward_server.run_code import router as run_code_router
from reward_server.settings import Settings, load_settings

log = logging.getLogger(__name__)

JSON = "application/json"
MAX_WARNING_CHARS = 300


def scored(body: str | bytes, results: Sequence[Result]) -> Response:
    """A 200 answer, with :data:`WARNING_HEADER` when the whole batch failed."""
    warning = failed_batch(results)
    headers = {}
    if warning:
        # One printable ASCII line: header values are latin-1, and details may hold anything.
        text = warning.encode("ascii", "backslashreplace").decode()[:MAX_WARNING_CHARS]
        headers[WARNING_HEADER] = "".join(c if c.isprintable() else " " for c in text)
    return Response(body, 200, media_type=JSON, headers=headers)


def start_sandbox(settings: Settings) -> sandbox.Backend:
    """Probe the configured sandbox backend and say, at start-up, what it can and cannot do."""
    sandbox.configure(**settings.sandbox.backend_config())
    backend = sandbox.default_backend()
    status = backend.describe()
    if status["available"]:
        log.info("sandbox %s ready: %s", backend.name, status["isolation"])
    else:
        log.warning(
            "sandbox %s unavailable, sandboxed verifiers will fail their items: %s",
            backend.name,
            status["reason"],
        )
    return backend


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or load_settings()
    if settings.ray_address:
        from reward_server.ray_serving import RayEngine

        engine: Engine = RayEngine(settings)
    else:
        engine = Engine(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine.start()
        for name, error in engine.registry.load_errors.items():
            log.warning("verifier %r unavailable: %s", name, error)
        sandbox_backend = await asyncio.to_thread(start_sandbox, settings)
        app.state.sandbox = sandbox_backend
        try:
            yield
        finally:
            engine.close()

    app = FastAPI(
        title="reward-server",
        version=__version__,
        summary="Rule-based, verifiable rewards for RL post-training.",
        lifespan=lifespan,
        strict_content_type=False,
        responses=ERROR_RESPONSES,
    )
    app.state.engine = engine
    app.include_router(dashboard_router(engine.stats))
    if not settings.access_log:
        access_log.disabled = True

    def admit(count: int) -> None:
        """Back-pressure: refuse, rather than queue without bound, beyond max_pending_items."""
        pending = engine.pending
        if pending + count > settings.max_pending_items:
            engine.metrics.rejected.inc()
            raise HTTPException(
                503,
                f"server busy: {pending} items pending, limit {settings.max_pending_items}; "
                f"retry in {settings.retry_after_s} s",
                headers={"Retry-After": str(settings.retry_after_s)},
            )

    app.include_router(run_code_router(settings, admit))

    def refuse(endpoint: str, reason: str, message: str) -> NoReturn:
        """A caller's configuration that cannot give real rewards: a 422 naming the fix,
        a warning line and a metric, instead of a batch of constant rewards."""
        engine.metrics.misconfigured.labels(endpoint, reason).inc()
        log.warning("%s refused: %s", endpoint, message)
        raise HTTPException(422, message)

    async def score_framework_batch(endpoint: str, items: list[dict[str, Any]]) -> list[Result]:
        if len(items) > settings.max_items:
            raise HTTPException(413, f"{len(items)} items exceed the limit of {settings.max_items}")
        try:
            engine.check_resolvable(items, compat.LABEL_FIX)
        except UnresolvedVerifier as exc:
            refuse(endpoint, "no_verifier", str(exc))
        admit(len(items))
        return await engine.score_async(items)

    @app.exception_handler(Exception)
    async def unhandled(request: Request, exc: Exception) -> Response:
        return internal_error(request.url.path)

    async def score_rewards(request: RewardsRequest) -> Response:
        if len(request.items) > settings.max_items:
            raise HTTPException(
                413, f"{len(request.items)} items exceed the limit of {settings.max_items}"
            )
        if request.reject_unresolved:
            try:
                engine.check_resolvable(request.items)
            except UnresolvedVerifier as exc:
                refuse("/v1/rewards", "no_verifier", str(exc))
        admit(len(request.items))
        results = await engine.score_async(
            request.items,
            request.timeout_s,
            ground_truths=request.ground_truths,
            shaping=request.shaping,
        )
        return scored(RewardsResponse.model_construct(results=results).model_dump_json(), results)

    @app.post("/v1/rewards", response_model=RewardsResponse, tags=["rewards"])
    async def rewards(request: RewardsRequest) -> Response:
        """Score a batch; ``results[i]`` answers ``items[i]``, a bad item gets invalid_input."""
        return await score_rewards(request)

    async def score_one(item: dict[str, Any]) -> Response:
        admit(1)
        (result,) = await engine.score_async([item])
        return scored(result.model_dump_json(), [result])

    @app.post("/v1/reward", response_model=Result, tags=["rewards"])
    async def reward(
        item: Annotated[dict[str, Any], Body(json_schema_extra=Item.model_json_schema())],
    ) -> Response:
        """Score one item."""
        return await score_one(item)

    logged = compat.logged_verifiers(
        settings.extra_logs_verifiers,
        settings.default_verifier,
        settings.routes,
        engine.registry,
    )
    openrlhf_keys = compat.log_keys(
        name for verifier in logged for name in engine.registry[verifier].components
    )

    @app.post(
        "/get_reward",
        response_model=compat.OpenRLHFResponse | dict[str, Any],
        tags=["compatibility"],
    )
    async def get_reward(
        body: Annotated[
            dict[str, Any],
            Body(
                json_schema_extra={
                    "anyOf": [
                        compat.OpenRLHFRequest.model_json_schema(),
                        compat.SlimeRequest.model_json_schema(),
                    ]
                }
            ),
        ],
    ) -> Response:
        """OpenRLHF's remote reward model (a batch with ``query``) or slime's (one sample
        with ``response``). Per-item problems never fail the request; a configuration that
        cannot give real rewards (empty labels, no verifier for a label) is a 422."""
        return await framework_reward(body)

    async def framework_reward(body: dict[str, Any]) -> Response:
        try:
            if "query" in body:
                request = compat.OpenRLHFRequest.model_validate(body)
                items = compat.openrlhf_items(request)
            else:
                items = [compat.slime_item(compat.SlimeRequest.model_validate(body))]
        except compat.MissingLabels as exc:
            refuse("/get_reward", "empty_label", str(exc))
        except (ValidationError, ValueError) as exc:
            raise HTTPException(422, str(exc)) from None
        results = await score_framework_batch("/get_reward", items)
        if "query" in body:
            answer = compat.openrlhf_response(results, openrlhf_keys)
            return scored(answer.model_dump_json(), results)
        return scored(json.dumps(compat.slime_response(results[0])), results)

    @app.post("/slime/reward", response_model=float, tags=["compatibility"])
    async def slime_reward(
        body: Annotated[
            dict[str, Any], Body(json_schema_extra=compat.SlimeRequest.model_json_schema())
        ],
    ) -> Response:
        """slime's remote reward model answered with a bare number, as slime stores it in
        ``sample.reward``: no ``--reward-key`` needed."""
        return await slime_number(body)

    async def slime_number(body: dict[str, Any]) -> Response:
        try:
            item = compat.slime_item(compat.SlimeRequest.model_validate(body))
        except compat.MissingLabels as exc:
            refuse("/slime/reward", "empty_label", str(exc))
        except ValidationError as exc:
            raise HTTPException(422, str(exc)) from None
        (result,) = await score_framework_batch("/slime/reward", [item])
        return scored(json.dumps(result.reward), [result])

    @app.get("/v1/verifiers", response_model=list[VerifierInfo], tags=["verifiers"])
    async def list_verifiers() -> list[VerifierInfo]:
        """Installed verifiers with their descriptions and option schemas."""
        return [
            VerifierInfo.of(v, settings.default_timeout_s, settings.max_timeout_s)
            for v in engine.registry.values()
        ]

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        """Prometheus metrics of this server process."""
        return Response(generate_latest(engine.metrics.registry), media_type=CONTENT_TYPE_LATEST)

    @app.get("/healthz", tags=["health"])
    async def healthz() -> dict[str, str]:
        """Liveness: the process answers."""
        return {"status": "ok"}

    @app.get("/readyz", tags=["health"])
    async def readyz() -> JSONResponse:
        """Readiness: the worker pool is up and at least one verifier is installed."""
        problems = []
        if not engine.ready:
            problems.append("worker pool is not running")
        if not engine.registry:
            problems.append("no verifier is installed")
        sandbox_status = app.state.sandbox.describe()
        if settings.sandbox.required and not sandbox_status["available"]:
            problems.append(f"sandbox unavailable: {sandbox_status['reason']}")
        body: dict[str, Any] = {
            "status": "not ready" if problems else "ready",
            "workers": settings.workers,
            "verifiers": list(engine.registry),
            "problems": problems,
            "unavailable_verifiers": engine.registry.load_errors,
            "sandbox": sandbox_status,
        }
        return JSONResponse(body, status_code=503 if problems else 200)

    async def rewards_lane(body: object) -> Response | None:
        try:
            request = RewardsRequest.model_validate(body)
        except ValidationError:
            return None  # the route answers with FastAPI's 422
        return await score_rewards(request)

    def taking_objects(score: Callable[[dict[str, Any]], Awaitable[Response]]) -> Handler:
        async def lane(body: object) -> Response | None:
            return await score(body) if isinstance(body, dict) else None

        return lane

    # The last added runs first: request context, then the key, the size limit, the lane.
    app.add_middleware(
        FastLane,
        handlers={
            "/v1/rewards": rewards_lane,
            "/v1/reward": taking_objects(score_one),
            "/get_reward": taking_objects(framework_reward),
            "/slime/reward": taking_objects(slime_number),
        },
    )
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(ApiKeyAuth, keys=load_keys(settings.api_keys, settings.api_keys_file))
    app.add_middleware(RequestContext, metrics=engine.metrics)
    return app
