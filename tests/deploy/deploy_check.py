#!/usr/bin/env python3
"""ctest DeployFiles: the deployment files of deploy/ parse and hang together (issue 9).

  deploy_check.py --repo ROOT --gendan build/gendan

What this machine can check without Docker or a Kubernetes cluster:
  - docker-compose.yml, the Kubernetes manifests: YAML syntax (PyYAML) and their references
    (depends_on, volumes, ConfigMap/Secret names, selectors against pod labels, named ports,
    $(VAR) expansions, bind-mounted files, the build context and Dockerfile);
  - every gendan.conf and every `-X key=value` in compose, Kubernetes and systemd: accepted by the
    real binary's config parser; every subcommand they run exists;
  - the systemd units: `systemd-analyze verify`, silent;
  - the Dockerfile: FROM bookworm / bookworm-slim, COPY sources exist, every RUN is a
    build-steps.sh step; build-steps.sh: --dry-run of each step (apt knows every package),
    check-packages and check-runtime on the binary, BUILD_PACKAGES within install-deps.sh.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml

failures = []


def check(ok, what):
    print("[deploy_check] %-4s %s" % ("ok" if ok else "FAIL", what))
    if not ok:
        failures.append(what)
    return ok


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


class Gendan:
    """Asks the real binary whether a config file / -X setting / subcommand is valid."""

    def __init__(self, path):
        self.path = path
        self.subcommands = set()

    def subcommand_ok(self, name):
        if not self.subcommands:  # the "Subcommands:" section of gendan --help
            text = run([self.path, "--help"]).stdout.split("Subcommands:", 1)[-1]
            self.subcommands = set(re.findall(r"^  (\S+) ", text, re.M))
        return name in self.subcommands

    def config_ok(self, conf=None, settings=()):
        # publish parses the config first (exit 2 on a bad one), then fails to read the input
        # file (exit 1): exit 1 with "cannot read" means the config was accepted.
        cmd = [self.path, "publish", "/nonexistent/deploy-check.jsonl"]  # before -X, which is greedy
        if conf:
            cmd += ["--config", conf]
        for s in settings:
            cmd += ["-X", s]
        r = run(cmd, env=dict(os.environ, GENDAN_CONFIG=""))
        ok = r.returncode == 1 and "cannot read /nonexistent" in r.stdout + r.stderr
        if not ok:
            print((r.stdout + r.stderr).strip()[-400:])
        return ok


def x_settings(args):
    """The key=value of every -X in an argument list, $(VAR) replaced by a placeholder."""
    out = []
    for i, a in enumerate(args):
        if a in ("-X", "--set") and i + 1 < len(args):
            out.append(re.sub(r"\$\([A-Z_]+\)", "x", args[i + 1]))
    return out


# ---- docker compose ------------------------------------------------------------------------

def check_compose(repo, gendan):
    d = os.path.join(repo, "deploy/docker")
    doc = yaml.safe_load(open(os.path.join(d, "docker-compose.yml")))
    services = doc["services"]
    declared_volumes = set((doc.get("volumes") or {}).keys())
    kafka = services.get("kafka", {})
    env = kafka.get("environment", {})
    check(kafka.get("image", "").startswith("apache/kafka:") and
          set(env.get("KAFKA_PROCESS_ROLES", "").split(",")) == {"broker", "controller"},
          "compose: kafka is the official apache/kafka image in KRaft mode (broker+controller)")
    roles = {}
    for name, svc in services.items():
        for dep in (svc.get("depends_on") or {}):
            check(dep in services, "compose: %s depends on %s, a service" % (name, dep))
        for v in svc.get("volumes") or []:
            src, _, rest = v.partition(":")
            if src.startswith(".") or src.startswith("/"):
                check(os.path.exists(os.path.join(d, src)), "compose: %s mounts %s, which exists" % (name, src))
            else:
                check(src in declared_volumes, "compose: %s's volume %s is declared" % (name, src))
        if "build" in svc:
            ctx = os.path.normpath(os.path.join(d, svc["build"]["context"]))
            check(os.path.isfile(os.path.join(ctx, svc["build"]["dockerfile"])),
                  "compose: %s builds from an existing Dockerfile" % name)
        if svc.get("image", "").startswith("gendan"):
            cmd = svc.get("command") or []
            check(bool(cmd) and gendan.subcommand_ok(cmd[0]), "compose: %s runs `gendan %s`" % (name, cmd[0] if cmd else "?"))
            if x_settings(cmd):
                check(gendan.config_ok(settings=x_settings(cmd)), "compose: %s's -X settings are gendan keys" % name)
            roles[cmd[0]] = svc
    check({"engine", "project", "serve"} <= roles.keys(), "compose: engine, project and serve roles")
    mounts = lambda s: {v.split(":")[1] for v in s.get("volumes", []) if v.startswith("projections:")}
    check(mounts(roles.get("project", {})) and mounts(roles.get("project", {})) == mounts(roles.get("serve", {})),
          "compose: projector and serve share the projections volume at one path")
    conf = os.path.join(d, "gendan.conf")
    check(gendan.config_ok(conf), "compose: gendan.conf is accepted by gendan")


# ---- Kubernetes ----------------------------------------------------------------------------

def pod_specs(obj):
    kind = obj["kind"]
    if kind in ("Deployment", "StatefulSet", "DaemonSet", "Job"):
        return obj["spec"]["template"]
    return None


def check_k8s(repo, gendan):
    d = os.path.join(repo, "deploy/k8s")
    kust = yaml.safe_load(open(os.path.join(d, "kustomization.yaml")))
    objs = []
    for f in kust["resources"]:
        path = os.path.join(d, f)
        if not check(os.path.isfile(path), "k8s: resource %s exists" % f):
            continue
        for o in yaml.safe_load_all(open(path)):
            if o is None:
                continue
            check(all(k in o for k in ("apiVersion", "kind", "metadata")) and o["metadata"].get("name"),
                  "k8s: %s: %s has apiVersion, kind and a name" % (f, o.get("kind")))
            objs.append((f, o))
    by_kind = {}
    for f, o in objs:
        by_kind.setdefault(o["kind"], {})[o["metadata"]["name"]] = o
    check("Deployment" in by_kind and "StatefulSet" in by_kind and "Service" in by_kind and
          "ConfigMap" in by_kind and "Secret" in by_kind,
          "k8s: a Deployment, a StatefulSet, Services, a ConfigMap and a Secret")
    secrets = by_kind.get("Secret", {})
    configmaps = by_kind.get("ConfigMap", {})
    pods = []  # (name, labels, ports)
    for f, o in objs:
        tmpl = pod_specs(o)
        if tmpl is None:
            continue
        name = o["metadata"]["name"]
        labels = tmpl["metadata"].get("labels", {})
        sel = o["spec"].get("selector", {}).get("matchLabels")
        if sel is not None:
            check(all(labels.get(k) == v for k, v in sel.items()), "k8s: %s's selector matches its pod labels" % name)
        spec = tmpl["spec"]
        vols = {v["name"]: v for v in spec.get("volumes", [])}
        claims = {c["metadata"]["name"] for c in o["spec"].get("volumeClaimTemplates", [])}
        for v in vols.values():
            if "configMap" in v:
                check(v["configMap"]["name"] in configmaps, "k8s: %s uses ConfigMap %s, defined" % (name, v["configMap"]["name"]))
        ports = set()
        for c in spec["containers"]:
            cname = "%s/%s" % (name, c["name"])
            env_names = {e["name"] for e in c.get("env", [])}
            for ef in c.get("envFrom", []):
                ref = ef.get("secretRef", {}).get("name")
                if check(ref in secrets, "k8s: %s reads Secret %s, defined" % (cname, ref)):
                    env_names |= set(secrets[ref].get("stringData", {}).keys()) | set(secrets[ref].get("data", {}).keys())
            args = c.get("args", [])
            for var in re.findall(r"\$\(([A-Z_]+)\)", " ".join(args)):
                check(var in env_names, "k8s: %s expands $(%s), which its env defines" % (cname, var))
            check(bool(args) and gendan.subcommand_ok(args[0]), "k8s: %s runs `gendan %s`" % (cname, args[0] if args else "?"))
            if x_settings(args):
                check(gendan.config_ok(settings=x_settings(args)), "k8s: %s's -X settings are gendan keys" % cname)
            for m in c.get("volumeMounts", []):
                check(m["name"] in vols or m["name"] in claims, "k8s: %s mounts %s, a volume or claim" % (cname, m["name"]))
            for p in c.get("ports", []):
                ports.add(p.get("name"))
            for probe in ("livenessProbe", "readinessProbe"):
                port = c.get(probe, {}).get("httpGet", {}).get("port")
                if port is not None:
                    check(port in {p.get("name") for p in c.get("ports", [])} or isinstance(port, int),
                          "k8s: %s's %s port %s is declared" % (cname, probe, port))
        pods.append((name, labels, ports))
    sts = list(by_kind.get("StatefulSet", {}).values())
    check(any(o["spec"].get("volumeClaimTemplates") for o in sts), "k8s: the StatefulSet has a volume for RocksDB")
    for name, svc in by_kind.get("Service", {}).items():
        sel = svc["spec"]["selector"]
        targets = [p for p in pods if all(p[1].get(k) == v for k, v in sel.items())]
        check(bool(targets), "k8s: Service %s selects pods" % name)
        for port in svc["spec"]["ports"]:
            tp = port.get("targetPort")
            if isinstance(tp, str):
                check(any(tp in p[2] for p in targets), "k8s: Service %s's targetPort %s is a container port" % (name, tp))
    with tempfile.NamedTemporaryFile("w", suffix=".conf") as tmp:
        for name, cm in configmaps.items():
            tmp.seek(0)
            tmp.truncate()
            tmp.write(cm["data"]["gendan.conf"])
            tmp.flush()
            check(gendan.config_ok(tmp.name), "k8s: ConfigMap %s's gendan.conf is accepted by gendan" % name)


# ---- systemd -------------------------------------------------------------------------------

def check_systemd(repo, gendan):
    d = os.path.join(repo, "deploy/systemd")
    units = sorted(f for f in os.listdir(d) if f.endswith((".service", ".target")))
    check(len([u for u in units if u.endswith(".service")]) >= 3, "systemd: units %s" % units)
    tool = shutil.which("systemd-analyze")
    if not check(tool is not None, "systemd: systemd-analyze is installed (package systemd)"):
        return
    with tempfile.TemporaryDirectory() as tmp:
        for u in units:
            text = open(os.path.join(d, u)).read()
            for line in re.findall(r"^ExecStart=(.*)$", text, re.M):
                args = line.split()
                check(args[0] == "/usr/local/bin/gendan" and gendan.subcommand_ok(args[1]),
                      "systemd: %s runs `gendan %s`" % (u, args[1]))
                if x_settings(args):
                    check(gendan.config_ok(settings=x_settings(args)), "systemd: %s's -X settings are gendan keys" % u)
            # verify needs the executable to exist: point the copy at the built binary
            open(os.path.join(tmp, u), "w").write(text.replace("/usr/local/bin/gendan", os.path.abspath(gendan.path)))
        r = run([tool, "verify", "--man=no"] + [os.path.join(tmp, u) for u in units])
        out = (r.stdout + r.stderr).strip()
        check(r.returncode == 0 and not out, "systemd: systemd-analyze verify is silent%s" % ("" if not out else ":\n" + out))
    check(gendan.config_ok(os.path.join(d, "gendan.conf")), "systemd: gendan.conf is accepted by gendan")


# ---- Dockerfile and its build steps --------------------------------------------------------

def check_docker(repo, gendan):
    d = os.path.join(repo, "deploy/docker")
    steps = os.path.join(d, "build-steps.sh")
    lines = [l.strip() for l in open(os.path.join(d, "Dockerfile")) if l.strip() and not l.startswith("#")]
    froms = [l.split()[1] for l in lines if l.startswith("FROM ")]
    check(froms == ["debian:bookworm", "debian:bookworm-slim"], "Dockerfile: stages %s" % froms)
    for l in lines:
        if l.startswith("COPY ") and "--from=" not in l:
            src = l.split()[1]
            check(os.path.exists(os.path.join(repo, src)), "Dockerfile: COPY %s exists" % src)
        if l.startswith("RUN "):
            m = re.match(r"RUN build-steps\.sh (\S+)", l)
            check(m is not None and m.group(1) in ("deps", "build", "runtime-deps", "check-runtime"),
                  "Dockerfile: %s is a build-steps.sh step" % l[:60])
    with tempfile.TemporaryDirectory() as tmp:
        for args in (["deps"], ["runtime-deps"], ["build", repo, tmp]):
            r = run(["bash", steps, "--dry-run"] + args)
            check(r.returncode == 0 and "+ " in r.stdout, "build-steps.sh --dry-run %s" % args[0] +
                  ("" if r.returncode == 0 else ": " + r.stderr.strip()))
        r = run(["bash", steps, "--dry-run", "build", tmp, tmp])
        check(r.returncode != 0, "build-steps.sh build refuses a folder that is not gendan's source")
    for step in ("check-packages", "check-runtime"):
        r = run(["bash", steps, step, gendan.path])
        check(r.returncode == 0, "build-steps.sh %s %s%s" % (step, gendan.path, "" if r.returncode == 0 else ": " + r.stderr.strip()))
    build_pkgs = run(["bash", steps, "packages", "build"]).stdout.split()
    deps_text = open(os.path.join(repo, "deploy/local/install-deps.sh")).read()
    local = set(re.search(r"PACKAGES=\((.*?)\)", deps_text, re.S).group(1).split())
    missing = [p for p in build_pkgs if p not in local]
    check(build_pkgs and not missing, "build-steps.sh BUILD_PACKAGES are in install-deps.sh%s" % (
        "" if not missing else " (not there: %s)" % missing))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repo", required=True)
    ap.add_argument("--gendan", required=True)
    args = ap.parse_args()
    gendan = Gendan(args.gendan)
    check(os.access(args.gendan, os.X_OK), "gendan binary at %s" % args.gendan)
    check_compose(args.repo, gendan)
    check_k8s(args.repo, gendan)
    check_systemd(args.repo, gendan)
    check_docker(args.repo, gendan)
    if failures:
        print("[deploy_check] %d check(s) failed" % len(failures))
        sys.exit(1)
    print("[deploy_check] PASS")


if __name__ == "__main__":
    main()
