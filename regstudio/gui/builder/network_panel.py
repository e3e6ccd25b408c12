"""The model builder: the hidden layers in order, an editor for one, and the model's size.

A view handed its model: it shows a ModelSpec, and every edit produces a new ModelSpec
that it announces with `modelChanged`. It never builds a Keras model. The add buttons and
the editor pages come from the layer registry (core/model/layers.py, layer_editors.py).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ...core.model import LAYER_TYPES, MAX_LAYERS, BatchNorm, Dense, Dropout, GaussianNoise, Layer, ModelSpec
from ...core.model.keras_model import output_description, summary_rows
from ..widgets import explain
from .layer_editors import EDITORS, LayerEditor


class ModelBuilderPanel(QGroupBox):
    modelChanged = Signal(object)  # ModelSpec

    def __init__(self, model: ModelSpec, parent: QWidget | None = None):
        super().__init__("Network", parent)
        self._model = model
        self._shape: tuple[int, int] | None = (784, 10)
        self._updating = False

        self.layer_list = explain(QListWidget(), "Hidden layers",
                                  "The network's hidden layers, input side first. The output layer "
                                  "(one unit per class, softmax) is added automatically.", "layerList")
        self.layer_list.setMinimumHeight(120)
        self.layer_list.setMaximumHeight(200)
        self.layer_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.layer_list.currentRowChanged.connect(self._show_editor)

        buttons = QGridLayout()
        buttons.setHorizontalSpacing(4)
        for column, kind in enumerate(LAYER_TYPES.values()):
            button = explain(QPushButton(f"+ {kind.title}"), f"Add {kind.title} layer", kind.what,
                             f"add{kind.title}Button")
            button.clicked.connect(lambda _=False, kind=kind: self._insert(kind.new()))
            buttons.addWidget(button, column // 2, column % 2)
        first_tool_row = (len(LAYER_TYPES) + 1) // 2
        self.up_button = self._tool("↑ Up", "Move layer up", "Moves the selected layer toward the input.",
                                    lambda: self._move(-1))
        self.down_button = self._tool("↓ Down", "Move layer down",
                                      "Moves the selected layer toward the output.", lambda: self._move(1))
        self.duplicate_button = self._tool("Duplicate", "Duplicate layer",
                                           "Inserts a copy of the selected layer after it.", self._duplicate)
        self.remove_button = self._tool("Remove", "Remove layer", "Deletes the selected layer.", self._remove)
        for column, button in enumerate((self.up_button, self.down_button, self.duplicate_button,
                                         self.remove_button)):
            buttons.addWidget(button, first_tool_row + column // 2, column % 2)

        self.editor = QStackedWidget()
        self.editor.addWidget(QLabel("Select a layer to edit it."))
        self.editors: dict[str, LayerEditor] = {}
        for key, page in EDITORS.items():
            self.editors[key] = page()
            self.editors[key].edited.connect(self._edited)
            self.editor.addWidget(self.editors[key])

        self.params_label = explain(QLabel(), "Parameter count",
                                    "How many numbers the network learns. More parameters can "
                                    "memorize more, which is where overfitting starts.", "paramsLabel")
        self.params_label.setWordWrap(True)  # "known once the dataset is loaded" must not be clipped
        self.architecture_label = QLabel()
        self.architecture_label.setWordWrap(True)
        self.architecture_label.setTextFormat(Qt.TextFormat.RichText)

        layout = QVBoxLayout(self)
        layout.addWidget(self.layer_list)
        layout.addLayout(buttons)
        editor_box = QGroupBox("Selected layer")
        QVBoxLayout(editor_box).addWidget(self.editor)
        layout.addWidget(editor_box)
        layout.addWidget(self.params_label)
        layout.addWidget(self.architecture_label)
        self._refresh()

    # Public --------------------------------------------------------------------------------
    @property
    def model(self) -> ModelSpec:
        return self._model

    def set_model(self, model: ModelSpec) -> None:
        """Show `model` (from a preset or the regularization controls) without echoing it back."""
        if model != self._model:
            self._model = model
            self._refresh()

    def set_data_shape(self, shape: tuple[int, int] | None) -> None:
        """(features, classes) of the chosen data: the output layer and the sizes follow it."""
        if shape != self._shape:
            self._shape = shape
            self._refresh()

    def _tool(self, text: str, name: str, tip: str, slot: object) -> QPushButton:
        button = explain(QPushButton(text), name, tip)
        button.clicked.connect(slot)
        return button

    def select_layer(self, row: int) -> None:
        """Select a hidden layer (its editor opens); -1 selects none."""
        self.layer_list.setCurrentRow(min(row, len(self._model.layers) - 1))

    def editor_for(self, layer_type: str) -> LayerEditor:
        return self.editors[layer_type]

    # Showing -----------------------------------------------------------------------------
    def _refresh(self) -> None:
        row = self.layer_list.currentRow()
        self._updating = True
        self.layer_list.clear()
        for layer in self._model.layers:
            self.layer_list.addItem(layer.describe())
        output = QListWidgetItem(f"{output_description(self._shape[1]) if self._shape else 'Dense(n, softmax)'}: "
                                 "output")
        output.setToolTip("The output layer: one unit per class. RegStudio adds it for you.")
        output.setFlags(Qt.ItemFlag.NoItemFlags)
        self.layer_list.addItem(output)
        self._updating = False
        n = len(self._model.layers)
        self.layer_list.setCurrentRow(min(row, n - 1) if n else -1)
        self._show_editor(self.layer_list.currentRow())
        self._refresh_size()

    def _refresh_size(self) -> None:
        if self._shape is None:
            self.params_label.setText("Parameters: known once the dataset is loaded")
            self.architecture_label.setText("")
            return
        rows = summary_rows(self._model, *self._shape)
        total, trainable = sum(r.params for r in rows), sum(r.trainable for r in rows)
        extra = f" ({trainable:,} trainable)" if trainable != total else ""
        self.params_label.setText(f"<b>{total:,}</b> parameters{extra}")
        parts = [f"in {self._shape[0]}"]
        for layer, row in zip(self._model.layers, rows, strict=False):
            if isinstance(layer, Dense):
                mark = f" <span style='color:#b35900'>{layer.regularizer.describe()}</span>" \
                    if layer.regularizer.active else ""
                parts.append(f"<b>{row.outputs}</b>{mark}")
            elif isinstance(layer, Dropout):
                parts.append(f"<i>drop {layer.rate:g}</i>")
            elif isinstance(layer, GaussianNoise):
                parts.append(f"<i>noise {layer.stddev:g}</i>")
            elif isinstance(layer, BatchNorm):
                parts.append("<i>norm</i>")
        parts.append(f"out {self._shape[1]}")
        self.architecture_label.setText(" → ".join(parts))

    def _show_editor(self, row: int) -> None:
        if self._updating:
            return
        layer = self._model.layers[row] if 0 <= row < len(self._model.layers) else None
        if layer is None:
            self.editor.setCurrentIndex(0)
        else:
            page = self.editors[layer.type]
            page.show_layer(layer)
            self.editor.setCurrentWidget(page)
        has = layer is not None
        for button in (self.duplicate_button, self.remove_button):
            button.setEnabled(has)
        self.up_button.setEnabled(has and row > 0)
        self.down_button.setEnabled(has and row < len(self._model.layers) - 1)

    # Editing -----------------------------------------------------------------------------
    def _commit(self, layers: list[Layer], select: int) -> None:
        self._model = ModelSpec(tuple(layers))
        self._refresh()
        self.layer_list.setCurrentRow(select)
        self.modelChanged.emit(self._model)

    def _edited(self) -> None:
        row = self.layer_list.currentRow()
        if self._updating or not 0 <= row < len(self._model.layers):
            return
        old = self._model.layers[row]
        layers = list(self._model.layers)
        layers[row] = self.editors[old.type].layer(old)
        self._commit(layers, row)

    def _insert(self, layer: Layer) -> None:
        if len(self._model.layers) >= MAX_LAYERS:
            return
        row = self.layer_list.currentRow()
        at = row + 1 if 0 <= row < len(self._model.layers) else len(self._model.layers)
        layers = list(self._model.layers)
        layers.insert(at, layer)
        self._commit(layers, at)

    def _duplicate(self) -> None:
        row = self.layer_list.currentRow()
        if 0 <= row < len(self._model.layers):
            self._insert(self._model.layers[row])

    def _remove(self) -> None:
        row = self.layer_list.currentRow()
        if 0 <= row < len(self._model.layers):
            layers = list(self._model.layers)
            del layers[row]
            self._commit(layers, min(row, len(layers) - 1))

    def _move(self, step: int) -> None:
        row = self.layer_list.currentRow()
        target = row + step
        if 0 <= row < len(self._model.layers) and 0 <= target < len(self._model.layers):
            layers = list(self._model.layers)
            layers[row], layers[target] = layers[target], layers[row]
            self._commit(layers, target)
