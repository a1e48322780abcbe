// SPDX-License-Identifier: Apache-2.0
#pragma once

class QSettings;
class QUndoStack;
class QWidget;

namespace vigil::ui {

/// Optional interface of a view in the main window. A registered QWidget that also
/// implements it gets Ctrl+F, File > Export and state saving; other views still work (Ctrl+F
/// then focuses a child QLineEdit named "searchBox" when there is one).
class ViewPage
{
public:
    virtual ~ViewPage() = default;
    /// Moves the keyboard focus to the view's search box.
    virtual void focusSearch() = 0;
    /// Whether File > Export applies to this view now.
    virtual bool canExport() const { return false; }
    /// Runs File > Export for this view (asks for a file).
    virtual void exportData(QWidget* dialogParent) { (void)dialogParent; }
    /// View > MAESTRO Layer Names changed (maestroLayerNames() already answers the new
    /// names): relabel what shows layers.
    virtual void layerNamesChanged() {}
    /// The view's edits, for Edit > Undo and Redo while it is shown; none by default.
    virtual QUndoStack* undoStack() const { return nullptr; }
    /// Saves and restores splitter and header state under the settings' current group.
    virtual void saveState(QSettings& settings) const { (void)settings; }
    virtual void restoreState(QSettings& settings) { (void)settings; }
};

} // namespace vigil::ui
