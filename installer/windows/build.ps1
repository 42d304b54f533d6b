# Build MotCua Desk for Windows: the PyInstaller one-folder app dist\MotCuaDesk\ (motcua-desk.exe,
# motcua.exe), its self-test, then the Inno Setup installer dist\MotCuaDesk-<version>-setup.exe.
#
#   powershell -ExecutionPolicy Bypass -File installer\windows\build.ps1
#
# Needs: Python 3.11 (64-bit), the project's venv with the freeze extra
# (py -3.11 -m venv .venv; .venv\Scripts\pip install -e ".[freeze,postgres]") and Inno Setup 6.
$ErrorActionPreference = "Stop"
$root = Resolve-Path (Join-Path $PSScriptRoot "..\..")
Set-Location $root
$python = Join-Path $root ".venv\Scripts\python.exe"
$version = (Select-String -Path "app\__init__.py" -Pattern '__version__ = "(.*)"').Matches[0].Groups[1].Value

$watch = [Diagnostics.Stopwatch]::StartNew()
& $python -m PyInstaller --noconfirm --clean --log-level WARN --distpath dist --workpath build\pyinstaller installer\motcua.spec
if ($LASTEXITCODE -ne 0) { throw "PyInstaller failed" }
Write-Host "build: dist\MotCuaDesk in $([int]$watch.Elapsed.TotalSeconds) s"

$env:QT_QPA_PLATFORM = "offscreen"
& "dist\MotCuaDesk\motcua-desk.exe" --self-test | Write-Host
if ($LASTEXITCODE -ne 0) { throw "the self-test of the frozen app failed" }
Remove-Item Env:\QT_QPA_PLATFORM

$iscc = "${env:ProgramFiles(x86)}\Inno Setup 6\ISCC.exe"
& $iscc "/DAppVersion=$version" "installer\windows\motcua.iss"
if ($LASTEXITCODE -ne 0) { throw "Inno Setup failed" }
Write-Host "build: dist\MotCuaDesk-$version-setup.exe"
