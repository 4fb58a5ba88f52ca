"""The form of the verification page: a file, or a SHA-256 or verification code typed in."""

from django import forms
from django.core.exceptions import ValidationError

# Far above any report (Liwan's approved PDF is about 0.5 MB): larger uploads are refused
# before they are read.
VERIFY_MAX_BYTES = 30 * 1024 * 1024


class VerifyForm(forms.Form):
    file = forms.FileField(
        label="上传文件",
        required=False,
        help_text="系统下载的 PDF（也可以是 Word、XLSX 文件），最大 30 MB。文件只用来计算摘要，不保存。",
    )
    code = forms.CharField(
        label="或输入校验码 / SHA-256",
        required=False,
        max_length=100,
        help_text="纸质件最后一页页脚的 12 位校验码（如 3F2A-9C1B-77D0），或文件的 64 位 SHA-256。",
    )

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload is not None and upload.size > VERIFY_MAX_BYTES:
            raise ValidationError(
                f"文件有 {upload.size / 1024 / 1024:.1f} MB，超过 30 MB 的上限：这不是系统生成的报告。"
            )
        return upload

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("file") and not (cleaned.get("code") or "").strip():
            raise ValidationError("请上传一份文件，或输入校验码或 SHA-256。")
        return cleaned
