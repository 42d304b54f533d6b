; Inno Setup script of MotCua Desk (Inno Setup 6). Wraps the PyInstaller one-folder build
; dist\MotCuaDesk\ (made by installer\windows\build.ps1) into dist\MotCuaDesk-<version>-setup.exe:
;   * per-machine install under Program Files (administrator rights asked once);
;   * Start menu shortcuts (the app, the command prompt with `motcua`, the uninstaller) and an
;     optional desktop shortcut (ticked by default);
;   * the uninstaller removes the program only; each user's data folder
;     (%LOCALAPPDATA%\MotCua\MotCuaDesk: database, scans, logs) stays unless the person uninstalling
;     says so, and even then only for the account running the uninstaller.
; Build: "C:\Program Files (x86)\Inno Setup 6\ISCC.exe" /DAppVersion=0.1.0 installer\windows\motcua.iss
; (build.ps1 does it and passes the version of app\__init__.py).

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define AppName "MotCua Desk"
#define AppExe "motcua-desk.exe"
#define SourceDir "..\..\dist\MotCuaDesk"

[Setup]
AppId={{6E0B3C1A-54D2-4F7B-9B61-4C2E2D3A9F10}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=MotCua Desk
DefaultDirName={autopf}\MotCua Desk
DefaultGroupName=MotCua Desk
PrivilegesRequired=admin
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\..\dist
OutputBaseFilename=MotCuaDesk-{#AppVersion}-setup
SetupIconFile=..\..\resources\icons\motcua.ico
UninstallDisplayIcon={app}\{#AppExe}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
DisableProgramGroupPage=yes
CloseApplications=yes
MinVersion=10.0

[Languages]
Name: "vi"; MessagesFile: "compiler:Languages\Vietnamese.isl"
Name: "en"; MessagesFile: "compiler:Default.isl"

[CustomMessages]
vi.DesktopIcon=Tạo biểu tượng trên màn hình nền
en.DesktopIcon=Create a desktop shortcut
vi.CommandPrompt=Dòng lệnh MotCua (motcua)
en.CommandPrompt=MotCua command line (motcua)
vi.RemoveData=Xoá luôn thư mục dữ liệu của tài khoản này (%1)?%n%nCơ sở dữ liệu, tệp quét và nhật ký sẽ mất hẳn. Chọn "Không" để giữ lại (nên sao lưu trước khi xoá).
en.RemoveData=Also delete this account's data folder (%1)?%n%nThe database, the scans and the logs will be lost for good. Choose "No" to keep them (make a backup first).

[Tasks]
Name: "desktopicon"; Description: "{cm:DesktopIcon}"; Flags: checkedonce

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\MotCua Desk\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{app}"
Name: "{autoprograms}\MotCua Desk\{cm:CommandPrompt}"; Filename: "{cmd}"; Parameters: "/k ""{app}\motcua.exe"" --help"; WorkingDir: "{userdocs}"
Name: "{autoprograms}\MotCua Desk\{cm:UninstallProgram,{#AppName}}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{app}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; only what the program itself leaves in its own folder (Python caches); never the data folder
Type: filesandordirs; Name: "{app}\_internal\__pycache__"

[Code]
{ The data folder is per user (%LOCALAPPDATA%\MotCua\MotCuaDesk); it is kept unless the person
  uninstalling asks, interactively, to delete it. A silent uninstall (/SILENT, /VERYSILENT) keeps it;
  /DELETEDATA on the uninstaller's command line deletes it without asking. }
function DataFolder(): String;
begin
  Result := ExpandConstant('{localappdata}\MotCua\MotCuaDesk');
end;

function DeleteDataAsked(): Boolean;
var
  I: Integer;
begin
  Result := False;
  for I := 1 to ParamCount do
    if CompareText(ParamStr(I), '/DELETEDATA') = 0 then
      Result := True;
end;

procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
var
  Folder: String;
begin
  if CurUninstallStep <> usPostUninstall then
    Exit;
  Folder := DataFolder();
  if not DirExists(Folder) then
    Exit;
  if DeleteDataAsked() or
     ((not UninstallSilent()) and
      (MsgBox(FmtMessage(CustomMessage('RemoveData'), [Folder]), mbConfirmation, MB_YESNO or MB_DEFBUTTON2) = IDYES)) then
    DelTree(Folder, True, True, True);
end;
