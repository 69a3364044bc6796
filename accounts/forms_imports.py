"""Forms of the import wizard: the upload, then the column mapping."""
from pathlib import Path

from django import forms

from accounts.services.imports import EXTENSIONS, IMPORT_KINDS, MAX_UPLOAD_BYTES

SKIP = ""


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(choices=[(k.name, k.label) for k in IMPORT_KINDS.values()], initial="accounts",
                             widget=forms.RadioSelect, label="What the file holds")
    file = forms.FileField(label="File", help_text=f"CSV or XLSX, up to {MAX_UPLOAD_BYTES // (1024 * 1024)} MB.",
                           widget=forms.ClearableFileInput(attrs={"accept": ".csv,.tsv,.txt,.xlsx"}))

    def clean_file(self):
        file = self.cleaned_data["file"]
        extension = Path(file.name).suffix.lower().lstrip(".")
        if extension == "xls":
            raise forms.ValidationError("Old .xls workbooks cannot be read: save the sheet as .xlsx or .csv.")
        if extension not in EXTENSIONS:
            raise forms.ValidationError("Upload a CSV or XLSX file.")
        if file.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(f"The file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB.")
        if file.size == 0:
            raise forms.ValidationError("The file is empty.")
        return file


class ColumnMappingForm(forms.Form):
    """One select per file column (`column_<n>`), offering every field of the import or
    “skip”. Columns are addressed by position: file headers may hold any character."""

    def __init__(self, *args, columns: list[str], choices: list[tuple[str, str]], initial_fields: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.columns = columns
        options = [(SKIP, "— Skip this column —"), *choices]
        for index, column in enumerate(columns):
            self.fields[f"column_{index}"] = forms.ChoiceField(
                choices=options, required=False, label=column or f"(column {index + 1})",
                initial=initial_fields[index] or SKIP)

    def mapping(self) -> dict[str, str]:
        """{file column: field or "" to skip}, for every named column."""
        return {column: self.cleaned_data.get(f"column_{index}") or SKIP
                for index, column in enumerate(self.columns) if column}

    def rows(self):
        """(column, bound select) pairs, for the template."""
        return [(column, self[f"column_{index}"]) for index, column in enumerate(self.columns)]
