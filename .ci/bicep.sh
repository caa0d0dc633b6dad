#!/usr/bin/env bash
# Builds and lints infra/ offline with the Bicep CLI from NuGet and fails on any error or warning.
# Also checks that infra/app-settings.json lists exactly the app settings main.bicep declares.
# Usage (from the repo root): bash .ci/bicep.sh
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

bicep_version="0.49.2"
packages_dir="${NUGET_PACKAGES:-$HOME/.nuget/packages}"
bicep="$packages_dir/azure.bicep.commandline.linux-x64/$bicep_version/tools/bicep"

# 1. Fetch the CLI through the restore-only project (no-op when already in the cache).
dotnet restore tools/bicep/bicep-tool.csproj --verbosity quiet >/dev/null
if [[ ! -f "$bicep" ]]; then
  echo "bicep.sh: Bicep CLI not found at $bicep after restore" >&2
  exit 1
fi
chmod +x "$bicep"
# The CLI is a single-file .NET app; give it a writable extraction directory on locked-down agents.
export DOTNET_BUNDLE_EXTRACT_BASE_DIR="${DOTNET_BUNDLE_EXTRACT_BASE_DIR:-${TMPDIR:-/tmp}/bicep-extract}"
mkdir -p "$DOTNET_BUNDLE_EXTRACT_BASE_DIR"

out_dir="$(mktemp -d)"
trap 'rm -rf "$out_dir"' EXIT
log="$out_dir/diagnostics.log"
: >"$log"

failed=0
# Runs one bicep command, keeps its diagnostics, and fails on a non-zero exit OR any
# Warning/Error line (lint and build exit 0 when there are only warnings).
run() {
  local output rc=0
  output="$("$bicep" "$@" 2>&1)" || rc=$?
  if [[ -n "$output" ]]; then printf '%s\n' "$output" | tee -a "$log"; fi
  if [[ $rc -ne 0 ]] || grep -Eq '(: (Warning|Error) )|^(Warning|Error)' <<<"$output"; then
    echo "bicep.sh: FAILED: bicep $*" >&2
    failed=1
  fi
}

# 2. Lint and build every template (main + modules), so a module is checked on its own too.
templates=(infra/main.bicep infra/modules/*.bicep)
for file in "${templates[@]}"; do
  run lint "$file"
done
run build infra/main.bicep --outfile "$out_dir/main.json"

# 3. Build every parameter file (tenants + the azd one).
param_files=(infra/tenants/*.bicepparam)
[[ -f infra/main.bicepparam ]] && param_files+=(infra/main.bicepparam)
for file in "${param_files[@]}"; do
  run build-params "$file" --outfile "$out_dir/$(basename "$file" .bicepparam).parameters.json"
done

if [[ $failed -ne 0 || ! -f "$out_dir/main.json" ]]; then
  echo "bicep.sh: FAILED (see diagnostics above)" >&2
  exit 1
fi

# 4. Contract checks on the compiled output.
python3 - "$out_dir" infra/app-settings.json "${param_files[@]}" <<'PY'
import glob, json, os, re, sys

out_dir, settings_file, param_files = sys.argv[1], sys.argv[2], sys.argv[3:]
errors = []
compiled_text = open(os.path.join(out_dir, "main.json"), encoding="utf-8").read()
compiled = json.loads(compiled_text)

declared = json.load(open(settings_file, encoding="utf-8"))
if len(declared) != len(set(declared)):
    errors.append(f"{settings_file}: duplicate names")
patterns = [n for n in declared if n.endswith("*")]
literal = [n for n in declared if not n.endswith("*")]

def resources(template):
    res = template.get("resources", [])
    return list(res.values()) if isinstance(res, dict) else res

def contains_site(template):
    return any(r.get("type") == "Microsoft.Web/sites" for r in resources(template))

# The function app module call: the nested deployment whose template creates the site.
calls = [r for r in resources(compiled)
         if r.get("type") == "Microsoft.Resources/deployments"
         and contains_site(r["properties"].get("template", {}))]
if len(calls) != 1:
    errors.append(f"expected one function app module call, found {len(calls)}")
else:
    params = calls[0]["properties"]["parameters"]
    app_settings = params.get("appSettings", {}).get("value")
    if not isinstance(app_settings, dict):
        errors.append("appSettings of the function app module is not an object literal; keep it literal so it can be checked")
    else:
        compiled_names = set(app_settings)
        for name in sorted(compiled_names - set(literal)):
            errors.append(f"app setting {name} is declared in main.bicep but missing from {settings_file}")
        for name in sorted(set(literal) - compiled_names):
            errors.append(f"app setting {name} is listed in {settings_file} but not declared in main.bicep")
    kv_refs = json.dumps(params.get("keyVaultReferenceSettings", {}))
    for pattern in patterns:
        if pattern.rstrip("*") not in compiled_text:
            errors.append(f"pattern {pattern} is listed but no such settings are built in main.bicep")
    if "Secrets__" in kv_refs and "Secrets__*" not in patterns:
        errors.append(f"main.bicep builds Secrets__<name> settings; list them as \"Secrets__*\" in {settings_file}")

# Every listed name must appear literally in the compiled template.
for name in literal:
    if f'"{name}"' not in compiled_text:
        errors.append(f"{name} does not appear literally in the compiled template")

# Settings that must never be set on Flex Consumption (runtime comes from functionAppConfig).
for forbidden in ("FUNCTIONS_WORKER_RUNTIME", "FUNCTIONS_EXTENSION_VERSION", "AzureWebJobsStorage\""):
    if forbidden in compiled_text:
        errors.append(f"{forbidden.rstrip(chr(34))} must not be set (Flex / identity-based storage)")

# Secret names in the parameter files: letters and digits only, so Secrets__<name> is a valid
# Linux app setting name (Key Vault allows hyphens; Linux app setting names do not).
portable = re.compile(r"^[A-Za-z0-9]{1,100}$")
for pf in param_files:
    built = os.path.join(out_dir, os.path.basename(pf).removesuffix(".bicepparam") + ".parameters.json")
    data = json.load(open(built, encoding="utf-8"))
    values = json.loads(data["parametersJson"]) if "parametersJson" in data else data
    names = values.get("parameters", {}).get("secretNames", {}).get("value", [])
    for n in names:
        if not portable.match(n):
            errors.append(f"{pf}: secret name '{n}' must be 1-100 letters or digits")
    if len(names) != len(set(names)):
        errors.append(f"{pf}: duplicate secret names")

if errors:
    for e in errors:
        print(f"bicep.sh: {e}", file=sys.stderr)
    sys.exit(1)
print(f"app settings: {len(literal)} names + {len(patterns)} pattern(s) match the compiled template")
PY

echo "bicep.sh: OK: Bicep $bicep_version; linted ${#templates[@]} templates, built main.bicep and ${#param_files[@]} parameter file(s); 0 errors, 0 warnings; app-settings.json in sync."
