"""Help → About: the version, the engines and where audio goes, the privacy note, the licences."""

from __future__ import annotations

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from caption_app import APP_NAME, __version__
from caption_app.ui.resources import RESOURCES

DOCS = RESOURCES / "docs"
ABOUT = f"""<h2>{APP_NAME} {__version__}</h2>
<p>Live captions for meetings.</p>
<p><b>On this computer</b> (Whisper tiny.en, or base for other languages):
audio never leaves this computer; no account, no network.<br>
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
        self.document = QTextBrowser()
        self.document.setAccessibleName("Document")
        self.document.hide()  # until a document has no viewer of its own here
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(self.document, 1)
        layout.addWidget(buttons)

    def open_document(self, name: str) -> bool:
        """Open the privacy note or the licences in the person's viewer for Markdown/text;
        where no viewer opens, show it here instead (a click never does nothing)."""
        path = DOCS / f"{name}.md"
        if path.is_file() and QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
            return True
        try:
            self.document.setMarkdown(path.read_text(encoding="utf-8"))
        except OSError as exc:
            self.document.setPlainText(f"The document {path.name} could not be read ({exc}).")
        self.document.show()
        self.resize(max(self.width(), 640), max(self.height(), 520))
        return False
