"""The model builder: the hidden layers in order, an editor for one, and the model's size.

A view handed its model: it shows a ModelSpec, and every edit produces a new ModelSpec
that it announces with `modelChanged`. It never builds a Keras model.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ...core.model import (
    ACTIVATIONS,
    MAX_LAYERS,
    MAX_UNITS,
    STRENGTHS_USED,
    Activation,
    BatchNorm,
    Dense,
    Dropout,
    Layer,
    ModelSpec,
    Regularizer,
)
from ...core.model.keras_model import summary_rows
from ..widgets import ScientificSpinBox, explain

KIND_LABELS = {"none": "none", "l1": "L1", "l2": "L2", "l1l2": "L1 + L2"}
NEW_LAYERS: dict[str, Layer] = {"Dense": Dense(64), "Dropout": Dropout(0.3), "BatchNorm": BatchNorm(),
                                "Activation": Activation("relu")}
ADD_TIPS = {
    "Dense": "Adds a fully connected layer. More units can fit more patterns, and also more noise.",
    "Dropout": "Adds dropout: during training it silences a random share of the previous layer's "
               "outputs, which keeps units from relying on each other.",
    "BatchNorm": "Adds batch normalization: rescales the previous layer's outputs batch by batch; "
                 "steadier training and a slight regularizing effect.",
    "Activation": "Adds a separate nonlinearity, as used after batch normalization.",
}


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
        for column, (label, layer) in enumerate(NEW_LAYERS.items()):
            button = explain(QPushButton(f"+ {label}"), f"Add {label} layer", ADD_TIPS[label])
            button.clicked.connect(lambda _=False, new=layer: self._insert(new))
            buttons.addWidget(button, column // 2, column % 2)
        self.up_button = self._tool("↑ Up", "Move layer up", "Moves the selected layer toward the input.",
                                    lambda: self._move(-1))
        self.down_button = self._tool("↓ Down", "Move layer down",
                                      "Moves the selected layer toward the output.", lambda: self._move(1))
        self.duplicate_button = self._tool("Duplicate", "Duplicate layer",
                                           "Inserts a copy of the selected layer after it.", self._duplicate)
        self.remove_button = self._tool("Remove", "Remove layer", "Deletes the selected layer.", self._remove)
        for column, button in enumerate((self.up_button, self.down_button, self.duplicate_button,
                                         self.remove_button)):
            buttons.addWidget(button, 2 + column // 2, column % 2)

        self.editor = QStackedWidget()
        self.editor.addWidget(QLabel("Select a layer to edit it."))
        self.editor.addWidget(self._dense_editor())
        self.editor.addWidget(self._dropout_editor())
        self.editor.addWidget(QLabel("Batch normalization has no settings: it learns its own scale "
                                     "and shift."))
        self.editor.addWidget(self._activation_editor())
        for i in range(self.editor.count()):
            if isinstance(self.editor.widget(i), QLabel):
                self.editor.widget(i).setWordWrap(True)

        self.params_label = explain(QLabel(), "Parameter count",
                                    "How many numbers the network learns. More parameters can "
                                    "memorize more, which is where overfitting starts.", "paramsLabel")
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
        self._shape = shape
        self._refresh_size()

    # Building the editors ----------------------------------------------------------------
    def _tool(self, text: str, name: str, tip: str, slot: object) -> QPushButton:
        button = explain(QPushButton(text), name, tip)
        button.clicked.connect(slot)
        return button

    def _dense_editor(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        self.units_spin = explain(QSpinBox(), "Units", "Neurons in this layer. More units, more "
                                  "capacity to memorize the training set.", "unitsSpin")
        self.units_spin.setRange(1, MAX_UNITS)
        self.activation_combo = explain(QComboBox(), "Activation", "The nonlinearity after the layer. "
                                        "'linear' is used before batch normalization.", "activationCombo")
        self.activation_combo.addItems(ACTIVATIONS)
        self.reg_combo = explain(QComboBox(), "Weight penalty", "Adds the size of this layer's weights "
                                 "to the loss, so the network prefers small or few weights.", "layerRegCombo")
        for kind, label in KIND_LABELS.items():
            self.reg_combo.addItem(label, kind)
        self.l1_spin = ScientificSpinBox(1e-6, 1.0)
        explain(self.l1_spin, "L1 strength for this layer", "λ1 in λ1·Σ|w|: larger pushes more weights "
                "to exactly zero.", "layerL1Spin")
        self.l2_spin = ScientificSpinBox(1e-6, 1.0)
        explain(self.l2_spin, "L2 strength for this layer", "λ2 in λ2·Σw²: larger keeps all weights "
                "smaller.", "layerL2Spin")
        form.addRow("Units", self.units_spin)
        form.addRow("Activation", self.activation_combo)
        form.addRow("Penalty", self.reg_combo)
        form.addRow("L1 λ", self.l1_spin)
        form.addRow("L2 λ", self.l2_spin)
        for widget in (self.units_spin, self.l1_spin, self.l2_spin):
            widget.valueChanged.connect(self._edited)
        for widget in (self.activation_combo, self.reg_combo):
            widget.currentIndexChanged.connect(self._edited)
        return page

    def _dropout_editor(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        self.rate_spin = explain(QDoubleSpinBox(), "Dropout rate", "Share of the previous layer's outputs "
                                 "silenced at random in each training step. 0.2 to 0.5 is typical; "
                                 "too high and the network underfits.", "rateSpin")
        self.rate_spin.setRange(0.0, 0.95)
        self.rate_spin.setSingleStep(0.05)
        self.rate_spin.setDecimals(2)
        self.rate_spin.valueChanged.connect(self._edited)
        form.addRow("Rate", self.rate_spin)
        return page

    def _activation_editor(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        self.act_only_combo = explain(QComboBox(), "Activation function", "The nonlinearity applied here.")
        self.act_only_combo.addItems(ACTIVATIONS)
        self.act_only_combo.currentIndexChanged.connect(self._edited)
        form.addRow("Function", self.act_only_combo)
        return page

    # Showing -----------------------------------------------------------------------------
    def _refresh(self) -> None:
        row = self.layer_list.currentRow()
        self._updating = True
        self.layer_list.clear()
        for layer in self._model.layers:
            self.layer_list.addItem(layer.describe())
        classes = self._shape[1] if self._shape else "n"
        output = QListWidgetItem(f"Dense({classes}, softmax): output")
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
            elif isinstance(layer, BatchNorm):
                parts.append("<i>norm</i>")
        parts.append(f"out {self._shape[1]}")
        self.architecture_label.setText(" → ".join(parts))

    def _show_editor(self, row: int) -> None:
        if self._updating:
            return
        layer = self._model.layers[row] if 0 <= row < len(self._model.layers) else None
        self._updating = True
        if isinstance(layer, Dense):
            self.editor.setCurrentIndex(1)
            self.units_spin.setValue(layer.units)
            self.activation_combo.setCurrentText(layer.activation)
            self.reg_combo.setCurrentIndex(self.reg_combo.findData(layer.regularizer.kind))
            self.l1_spin.setValue(layer.regularizer.l1 or 0.01)
            self.l2_spin.setValue(layer.regularizer.l2 or 0.001)
            self.l1_spin.setEnabled("l1" in STRENGTHS_USED[layer.regularizer.kind])
            self.l2_spin.setEnabled("l2" in STRENGTHS_USED[layer.regularizer.kind])
        elif isinstance(layer, Dropout):
            self.editor.setCurrentIndex(2)
            self.rate_spin.setValue(layer.rate)
        elif isinstance(layer, BatchNorm):
            self.editor.setCurrentIndex(3)
        elif isinstance(layer, Activation):
            self.editor.setCurrentIndex(4)
            self.act_only_combo.setCurrentText(layer.activation)
        else:
            self.editor.setCurrentIndex(0)
        self._updating = False
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
        layer = self._model.layers[row]
        if isinstance(layer, Dense):
            reg = Regularizer.from_strengths(self.reg_combo.currentData(), self.l1_spin.value(),
                                             self.l2_spin.value())
            layer = replace(layer, units=self.units_spin.value(), activation=self.activation_combo.currentText(),
                            regularizer=reg)
        elif isinstance(layer, Dropout):
            layer = Dropout(round(self.rate_spin.value(), 4))
        elif isinstance(layer, Activation):
            layer = Activation(self.act_only_combo.currentText())
        layers = list(self._model.layers)
        layers[row] = layer
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
