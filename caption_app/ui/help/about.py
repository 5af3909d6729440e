"""Help → About: the version, the engines and where audio goes, the privacy note, the licences."""

from __future__ import annotations

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from caption_app import APP_NAME, __version__
from caption_app.ui.resources import RESOURCES

DOCS = RESOURCES / "docs"
ABOUT = f"""<h2>{APP_NAME} {__version__}</h2>
<p>Live captions for meetings.</p>
<p><b>On this computer</b> (Whisper tiny.en): audio never leaves this computer; no account,
no network.<br>
<b>AssemblyAI Universal-Streaming</b> (cloud): audio goes to AssemblyAI while “Sending audio to
the cloud” is lit, and only then.</p>
<p><a href="privacy">How Caption App handles your audio, key and transcripts</a><br>
<a href="licences">Licences of the bundled components, the model weights included</a></p>"""


class AboutDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"About {APP_NAME}")
        self.setAccessibleName(f"About {APP_NAME}")
        self.text = QLabel(ABOUT)
        self.text.setWordWrap(True)
        self.text.setOpenExternalLinks(False)
        self.text.linkActivated.connect(self.open_document)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(buttons)

    def open_document(self, name: str) -> bool:
        """Open the privacy note or the licences in the person's viewer for Markdown/text."""
        path = DOCS / f"{name}.md"
        return path.is_file() and QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
