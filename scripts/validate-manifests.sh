#!/usr/bin/env bash
# Validates the deployment files against the Kubernetes schemas, without a cluster.
#
#   scripts/validate-manifests.sh            check everything; exits non-zero on any problem
#   scripts/validate-manifests.sh --print deploy/kubernetes/overlays/loadtest
#                                            print what that kustomization renders to
#
# Every kustomization under deploy/kubernetes (base and overlays) is rendered by a small built-in
# renderer (resources, patches / patchesStrategicMerge as strategic-merge patches, images,
# namespace: the subset these manifests use; anything else is refused, not ignored), and every
# rendered object is validated with the PyPI package kubernetes-validate in strict mode (unknown
# fields are errors) for each Kubernetes version in K8S_VERSIONS (default "1.27.0 1.37.0").
# Only the ServiceMonitor (a Prometheus Operator CRD, not in the core schemas) is skipped, with
# the reason printed, after a structural check. Beyond the schemas it checks how the objects fit
# together: selectors match the pod labels, named ports exist, probes hit /ready and /health, the
# termination grace covers the drain delay plus the shutdown grace, the security context is
# locked down, the ConfigMap carries the same files as deploy/config/, and no manifest file is
# left out of every kustomization. When kubectl is installed, its built-in kustomize renders each
# kustomization too and must agree with the built-in renderer.
#
# Python: the project's .venv when present, else a cached venv in .build-validate/ (git-ignored);
# kubernetes-validate and PyYAML are installed there when missing.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
note() { printf 'validate-manifests: %s\n' "$*" >&2; }

if [ -x "$ROOT/.venv/bin/python" ]; then
  PY="$ROOT/.venv/bin/python"
else
  if [ ! -x "$ROOT/.build-validate/venv/bin/python" ]; then
    note "creating $ROOT/.build-validate/venv"
    python3 -m venv "$ROOT/.build-validate/venv"
  fi
  PY="$ROOT/.build-validate/venv/bin/python"
fi
if ! "$PY" -c 'import kubernetes_validate, yaml' 2>/dev/null; then
  note "installing kubernetes-validate into $(dirname "$(dirname "$PY")")"
  "$PY" -m pip install --quiet --disable-pip-version-check kubernetes-validate PyYAML >&2
fi

exec "$PY" - "$@" <<'PYTHON'
import copy
import os
import shutil
import subprocess
import sys
import warnings

import yaml

warnings.filterwarnings("ignore")
import kubernetes_validate  # noqa: E402

ROOT = os.getcwd()
KDIR = os.path.join("deploy", "kubernetes")
VERSIONS = os.environ.get("K8S_VERSIONS", "1.27.0 1.37.0").split()
# Kinds that are not in the core schemas, with the reason for skipping their schema check.
CRD_SKIPS = {
    ("monitoring.coreos.com/v1", "ServiceMonitor"):
        "Prometheus Operator CRD, not part of the Kubernetes schemas",
}
KUSTOMIZATION_KEYS = {"apiVersion", "kind", "resources", "patches", "patchesStrategicMerge",
                      "images", "namespace"}

failures = []
passes = 0


def ok(msg):
    global passes
    passes += 1
    print(f"  ok    {msg}")


def fail(msg):
    failures.append(msg)
    print(f"  FAIL  {msg}")


class RenderError(Exception):
    pass


# --- the renderer --------------------------------------------------------------------------
def load_docs(path):
    with open(path) as f:
        return [d for d in yaml.safe_load_all(f) if d is not None]


def kustomization_file(directory):
    for name in ("kustomization.yaml", "kustomization.yml", "Kustomization"):
        p = os.path.join(directory, name)
        if os.path.isfile(p):
            return p
    return None


MERGE_KEYS = ("name", "mountPath", "containerPort", "port", "devicePath")


def merge_list(base, patch):
    """Strategic merge of a list: items with a common merge key are merged, others replaced."""
    if not (base and patch and all(isinstance(x, dict) for x in base + patch)):
        return copy.deepcopy(patch)
    key = next((k for k in MERGE_KEYS if all(k in x for x in base + patch)), None)
    if key is None:
        return copy.deepcopy(patch)
    out = copy.deepcopy(base)
    for item in patch:
        match = next((o for o in out if o[key] == item[key]), None)
        if item.get("$patch") == "delete":
            out = [o for o in out if o[key] != item[key]]
        elif match is None:
            out.append(copy.deepcopy(item))
        else:
            out[out.index(match)] = merge(match, item)
    return out


def merge(base, patch):
    if not isinstance(base, dict) or not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = copy.deepcopy(base)
    for k, v in patch.items():
        if v is None:
            out.pop(k, None)
        elif k in out and isinstance(out[k], dict) and isinstance(v, dict):
            out[k] = merge(out[k], v)
        elif k in out and isinstance(out[k], list) and isinstance(v, list):
            out[k] = merge_list(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


def ident(doc):
    return (doc.get("kind"), (doc.get("metadata") or {}).get("name"))


def apply_patch(resources, patch, where, target=None):
    if not isinstance(patch, dict) or "kind" not in patch:
        raise RenderError(f"{where}: only strategic-merge patches (a partial object with kind and "
                          f"metadata.name) are supported")
    kind = (target or {}).get("kind", patch.get("kind"))
    name = (target or {}).get("name", (patch.get("metadata") or {}).get("name"))
    hits = [i for i, r in enumerate(resources) if ident(r) == (kind, name)]
    if not hits:
        raise RenderError(f"{where}: patch target {kind}/{name} is not among the resources")
    for i in hits:
        resources[i] = merge(resources[i], patch)


def pod_specs(doc):
    spec = doc.get("spec") or {}
    if doc.get("kind") == "Pod":
        yield spec
    tpl = (spec.get("template") or {}).get("spec")
    if tpl:
        yield tpl
    job = ((spec.get("jobTemplate") or {}).get("spec") or {}).get("template", {}).get("spec")
    if job:
        yield job


def render(directory, seen=None):
    seen = set() if seen is None else seen
    kfile = kustomization_file(directory)
    if kfile is None:
        raise RenderError(f"{directory}: no kustomization.yaml")
    seen.add(os.path.abspath(kfile))
    k = yaml.safe_load(open(kfile)) or {}
    unknown = set(k) - KUSTOMIZATION_KEYS
    if unknown:
        raise RenderError(f"{kfile}: fields the built-in renderer does not support: "
                          f"{', '.join(sorted(unknown))}")
    resources = []
    for entry in k.get("resources") or []:
        path = os.path.normpath(os.path.join(directory, entry))
        if os.path.isdir(path):
            resources += render(path, seen)
        elif os.path.isfile(path):
            seen.add(os.path.abspath(path))
            resources += load_docs(path)
        else:
            raise RenderError(f"{kfile}: resource {entry} does not exist")
    for entry in k.get("patchesStrategicMerge") or []:
        path = os.path.join(directory, entry)
        seen.add(os.path.abspath(path))
        for p in load_docs(path):
            apply_patch(resources, p, path)
    for entry in k.get("patches") or []:
        target = entry.get("target")
        if target and set(target) - {"kind", "name"}:
            raise RenderError(f"{kfile}: patch targets by {set(target) - {'kind', 'name'}} "
                              f"are not supported")
        if "path" in entry:
            path = os.path.join(directory, entry["path"])
            seen.add(os.path.abspath(path))
            docs = load_docs(path)
        elif "patch" in entry:
            path, docs = kfile, [d for d in yaml.safe_load_all(entry["patch"]) if d]
        else:
            raise RenderError(f"{kfile}: a patch needs path or patch")
        for p in docs:
            if isinstance(p, list):
                raise RenderError(f"{path}: JSON 6902 patches are not supported")
            apply_patch(resources, p, path, target)
    for image in k.get("images") or []:
        for doc in resources:
            for spec in pod_specs(doc):
                for c in (spec.get("containers") or []) + (spec.get("initContainers") or []):
                    ref = c.get("image", "")
                    bare = ref.split("@")[0]
                    if ":" in bare.rsplit("/", 1)[-1]:
                        bare = bare.rsplit(":", 1)[0]
                    if bare != image["name"]:
                        continue
                    new = image.get("newName", bare)
                    if "digest" in image:
                        c["image"] = f"{new}@{image['digest']}"
                    elif "newTag" in image:
                        c["image"] = f"{new}:{image['newTag']}"
                    else:
                        c["image"] = new + ref[len(bare):]
    if "namespace" in k:
        for doc in resources:
            doc.setdefault("metadata", {})["namespace"] = k["namespace"]
    return resources


# --- checks --------------------------------------------------------------------------------
def labels_match(selector, labels):
    return all(labels.get(k) == v for k, v in (selector or {}).items())


def check_servicemonitor(doc, services):
    spec = doc.get("spec") or {}
    sel = (spec.get("selector") or {}).get("matchLabels") or {}
    eps = spec.get("endpoints") or []
    problems = []
    if not sel:
        problems.append("spec.selector.matchLabels is empty")
    if not eps or not all(isinstance(e, dict) and e.get("port") for e in eps):
        problems.append("every spec.endpoints entry needs a port name")
    targets = [s for s in services if labels_match(sel, (s.get("metadata") or {}).get("labels") or {})]
    if not targets:
        problems.append("its selector matches no Service's labels")
    for e in eps:
        names = {p.get("name") for s in targets for p in (s.get("spec") or {}).get("ports") or []}
        if e.get("port") not in names:
            problems.append(f"endpoint port {e.get('port')!r} is not a named port of the Service")
        if e.get("path", "/metrics") != "/metrics":
            problems.append(f"endpoint path {e.get('path')} is not /metrics")
    return problems


def env_value(container, name):
    for e in container.get("env") or []:
        if e.get("name") == name:
            return e.get("value")
    return None


def check_fit(label, docs):
    """How the objects of one rendering fit together."""
    by_kind = {}
    for d in docs:
        by_kind.setdefault(d.get("kind"), []).append(d)
    deployments = by_kind.get("Deployment", [])
    services = by_kind.get("Service", [])
    configmaps = {d["metadata"]["name"]: d for d in by_kind.get("ConfigMap", [])}
    if not deployments:
        fail(f"{label}: no Deployment")
        return
    for dep in deployments:
        name = dep["metadata"]["name"]
        spec = dep["spec"]
        tpl = spec["template"]
        pod_labels = (tpl.get("metadata") or {}).get("labels") or {}
        pod = tpl["spec"]
        problems = []
        if not labels_match(spec["selector"].get("matchLabels"), pod_labels):
            problems.append("selector does not match the pod labels")
        psc = pod.get("securityContext") or {}
        if psc.get("runAsNonRoot") is not True:
            problems.append("pod securityContext.runAsNonRoot is not true")
        if (psc.get("seccompProfile") or {}).get("type") != "RuntimeDefault":
            problems.append("pod seccompProfile is not RuntimeDefault")
        for c in pod.get("containers") or []:
            csc = c.get("securityContext") or {}
            if csc.get("readOnlyRootFilesystem") is not True:
                problems.append(f"container {c['name']}: readOnlyRootFilesystem is not true")
            if csc.get("allowPrivilegeEscalation") is not False:
                problems.append(f"container {c['name']}: allowPrivilegeEscalation is not false")
            if "ALL" not in ((csc.get("capabilities") or {}).get("drop") or []):
                problems.append(f"container {c['name']}: capabilities do not drop ALL")
            res = c.get("resources") or {}
            for part in ("requests", "limits"):
                for r in ("cpu", "memory"):
                    if r not in (res.get(part) or {}):
                        problems.append(f"container {c['name']}: no resources.{part}.{r}")
            ready = ((c.get("readinessProbe") or {}).get("httpGet") or {}).get("path")
            live = ((c.get("livenessProbe") or {}).get("httpGet") or {}).get("path")
            if ready != "/ready":
                problems.append(f"container {c['name']}: readiness probe is {ready}, not /ready")
            if live != "/health":
                problems.append(f"container {c['name']}: liveness probe is {live}, not /health")
            if env_value(c, "EMULATOR_HOST") != "0.0.0.0":
                problems.append(f"container {c['name']}: EMULATOR_HOST is not 0.0.0.0")
            drain = float(env_value(c, "EMULATOR_DRAIN_DELAY") or 5)
            grace = float(env_value(c, "EMULATOR_SHUTDOWN_GRACE") or 10)
            tgps = pod.get("terminationGracePeriodSeconds", 30)
            if not tgps > drain + grace:
                problems.append(f"terminationGracePeriodSeconds {tgps} does not exceed drain delay "
                                f"{drain:g} + shutdown grace {grace:g}")
            port_names = {p.get("name") for p in c.get("ports") or []}
            for probe in ("readinessProbe", "livenessProbe"):
                port = ((c.get(probe) or {}).get("httpGet") or {}).get("port")
                if isinstance(port, str) and port not in port_names:
                    problems.append(f"{probe} port {port!r} is not a container port name")
            volume_names = {v["name"] for v in pod.get("volumes") or []}
            for m in c.get("volumeMounts") or []:
                if m["name"] not in volume_names:
                    problems.append(f"volumeMount {m['name']} has no volume")
        for v in pod.get("volumes") or []:
            cm = (v.get("configMap") or {}).get("name")
            if cm and cm not in configmaps:
                problems.append(f"volume {v['name']} refers to ConfigMap {cm}, which is not rendered")
        for svc in services:
            if labels_match(svc["spec"].get("selector"), pod_labels):
                names = {p.get("name") for c in pod["containers"] for p in c.get("ports") or []}
                for p in svc["spec"].get("ports") or []:
                    if isinstance(p.get("targetPort"), str) and p["targetPort"] not in names:
                        problems.append(f"Service {svc['metadata']['name']} targetPort "
                                        f"{p['targetPort']!r} is not a container port name")
        if not any(labels_match(s["spec"].get("selector"), pod_labels) for s in services):
            problems.append("no Service selects its pods")
        for hpa in by_kind.get("HorizontalPodAutoscaler", []):
            ref = hpa["spec"]["scaleTargetRef"]
            if ref.get("kind") == "Deployment" and ref.get("name") != name:
                problems.append(f"HPA {hpa['metadata']['name']} targets {ref.get('name')}")
            if hpa["spec"].get("minReplicas", 1) > hpa["spec"]["maxReplicas"]:
                problems.append("HPA minReplicas exceeds maxReplicas")
        for pdb in by_kind.get("PodDisruptionBudget", []):
            if not labels_match(pdb["spec"]["selector"].get("matchLabels"), pod_labels):
                problems.append(f"PDB {pdb['metadata']['name']} does not select its pods")
        if problems:
            for p in problems:
                fail(f"{label}: Deployment/{name}: {p}")
        else:
            ok(f"{label}: Deployment/{name}: selectors, ports, probes, grace period, "
               f"security context, resources fit together")
    for cm in configmaps.values():
        for key, text in (cm.get("data") or {}).items():
            source = os.path.join("deploy", "config", key)
            if os.path.isfile(source):
                if open(source).read() != text:
                    fail(f"{label}: ConfigMap/{cm['metadata']['name']} {key} differs from {source}")
                else:
                    ok(f"{label}: ConfigMap/{cm['metadata']['name']} {key} matches {source}")
            try:
                yaml.safe_load(text)
            except yaml.YAMLError as e:
                fail(f"{label}: ConfigMap {key} is not valid YAML: {e}")


def validate(label, docs):
    services = [d for d in docs if d.get("kind") == "Service"]
    for doc in docs:
        kind, name = ident(doc)
        what = f"{label}: {kind}/{name}"
        skip = CRD_SKIPS.get((doc.get("apiVersion"), kind))
        if skip:
            problems = check_servicemonitor(doc, services) if kind == "ServiceMonitor" else []
            if problems:
                for p in problems:
                    fail(f"{what}: {p}")
            else:
                print(f"  skip  {what}: schema check skipped ({skip}); structure and Service "
                      f"port checked")
            continue
        errors = []
        for version in VERSIONS:
            try:
                kubernetes_validate.validate(doc, version, strict=True)
            except kubernetes_validate.SchemaNotFoundError:
                errors.append(f"no schema for {doc.get('apiVersion')} {kind} in Kubernetes "
                              f"{version} (only {', '.join(k for _, k in CRD_SKIPS)} may be skipped)")
            except kubernetes_validate.ValidationError as e:
                path = "/".join(str(p) for p in e.path) or "(top)"
                errors.append(f"Kubernetes {version}: {path}: {e.message}")
        if errors:
            for e in errors:
                fail(f"{what}: {e}")
        else:
            ok(f"{what} valid (strict) for Kubernetes {', '.join(VERSIONS)}")


def kubectl_agrees(directory, docs):
    kubectl = shutil.which("kubectl")
    if not kubectl:
        return None
    try:
        out = subprocess.run([kubectl, "kustomize", directory], capture_output=True, text=True,
                             timeout=60)
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"kubectl kustomize failed to run: {e}"
    if out.returncode != 0:
        return f"kubectl kustomize failed: {out.stderr.strip()[:500]}"
    theirs = sorted((d for d in yaml.safe_load_all(out.stdout) if d), key=lambda d: ident(d))
    ours = sorted(docs, key=lambda d: ident(d))
    if theirs != ours:
        a = {ident(d): d for d in ours}
        b = {ident(d): d for d in theirs}
        diff = [f"{k[0]}/{k[1]}" for k in sorted(set(a) | set(b), key=str) if a.get(k) != b.get(k)]
        return f"kubectl kustomize renders differently: {', '.join(diff)}"
    return ""


def main(argv):
    if argv[:1] == ["--print"]:
        if len(argv) != 2:
            sys.exit("usage: validate-manifests.sh --print KUSTOMIZATION_DIR")
        yaml.safe_dump_all(render(argv[1]), sys.stdout, sort_keys=False)
        return 0
    if argv:
        sys.exit("usage: validate-manifests.sh [--print KUSTOMIZATION_DIR]")
    print(f"== kubernetes-validate {kubernetes_validate.__version__ if hasattr(kubernetes_validate, '__version__') else ''}"
          f" schemas for Kubernetes {', '.join(VERSIONS)}")
    dirs = sorted({os.path.dirname(os.path.join(d, f)) for d, _, fs in os.walk(KDIR) for f in fs
                   if f in ("kustomization.yaml", "kustomization.yml", "Kustomization")})
    if not dirs:
        fail(f"no kustomization under {KDIR}")
    used = set()
    for d in dirs:
        print(f"== {d}")
        try:
            docs = render(d, used)
        except (RenderError, yaml.YAMLError, OSError, KeyError, TypeError) as e:
            fail(f"{d}: cannot render: {e}")
            continue
        validate(d, docs)
        check_fit(d, docs)
        agree = kubectl_agrees(d, docs)
        if agree is None:
            print(f"  skip  {d}: kubectl not installed, built-in rendering not cross-checked")
        elif agree:
            fail(f"{d}: {agree}")
        else:
            ok(f"{d}: kubectl kustomize renders the same {len(docs)} objects")
    print("== files")
    orphans = [os.path.relpath(os.path.join(d, f)) for d, _, fs in os.walk(KDIR) for f in fs
               if f.endswith((".yaml", ".yml")) and os.path.abspath(os.path.join(d, f)) not in used]
    for o in sorted(orphans):
        fail(f"{o} is used by no kustomization, so it is never validated")
    if not orphans:
        ok(f"every file under {KDIR} is part of a kustomization")
    compose = os.path.join("deploy", "compose.yaml")
    if os.path.isfile(compose):
        try:
            c = yaml.safe_load(open(compose))
            missing = []
            for svc in (c.get("services") or {}).values():
                for v in svc.get("volumes") or []:
                    src = v.split(":")[0] if isinstance(v, str) else v.get("source", "")
                    if src.startswith("."):
                        if not os.path.exists(os.path.join("deploy", src)):
                            missing.append(src)
            if missing:
                fail(f"{compose}: mounted files missing: {', '.join(missing)}")
            else:
                ok(f"{compose} parses and its mounted files exist")
        except yaml.YAMLError as e:
            fail(f"{compose}: {e}")
    print(f"validate-manifests: {passes} passed, {len(failures)} failed")
    return 1 if failures else 0


sys.exit(main(sys.argv[1:]))
PYTHON
