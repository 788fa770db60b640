"""Refusals in a Chinese reader's words.

The backend says why it refuses a request in English, with the numbers and names of the case ("the
text is too short for the tiny preset: give at least 10,400 characters (it has 1,466)"). A page in
Chinese shows the same refusal in Chinese: each pattern below matches one refusal (its numbers and
names as named groups) and gives its Chinese, with the groups put back. A refusal no pattern matches
keeps its English detail after a Chinese lead, so a reader always sees at once that, and where, the
request was refused.
"""

from __future__ import annotations

import re

LEAD_ZH = "未能完成："  # before a refusal with no Chinese of its own

_ZH = (
    # Training: what to give, and how much.
    (
        r"give some text to learn from: paste it or upload a \.txt file",
        "请提供用来学习的文本：粘贴文本或上传 .txt 文件",
    ),
    (
        r"the text is too short for the (?P<size>\w+) preset: give at least (?P<least>[\d,]+) characters "
        r"\(it has (?P<has>[\d,]+)\)",
        "文本太短：此规模至少需要 {least} 个字符（现有 {has} 个）",
    ),
    (
        r"the (?P<what>text|chat log) has (?P<has>[\d,]+) characters; this server accepts up to (?P<most>[\d"
        r",]+)",
        "文本有 {has} 个字符；本服务器最多接受 {most} 个",
    ),
    (
        r"give a chat log: .*",
        "请提供聊天记录：粘贴以“A: ”和“B: ”开头的对话行，或上传 .txt / .jsonl 文件",
    ),
    (
        r"the chat log is too short: give at least (?P<least>[\d,]+) characters of turns \(it has (?P<has>["
        r"\d,]+)\)",
        "聊天记录太短：至少需要 {least} 个字符的对话（现有 {has} 个）",
    ),
    (
        r"the text mostly repeats itself \(it packs to (?P<share>\d+%) of its size.*",
        "文本大多在重复自己（压缩后只有原来的 {share}；正常文字为 30–55%）："
        "模型只会学到这种重复。请提供更多样的文本",
    ),
    (
        r"the text has characters '(?P<model>.+)' does not know \((?P<chars>.*)\); start afresh instead",
        "文本中有模型“{model}”不认识的字符（{chars}）；请改为从头训练",
    ),
    (
        r"give pictures to learn from.*",
        "请提供用来学习的图片：每类一个文件夹的 zip、图片文件或 MNIST 格式的 IDX 文件",
    ),
    (r"give recordings to learn from: .*", "请提供用来学习的录音：文件名形如 3_name_7.wav 的 WAV 文件的 zip"),
    (
        r"(?P<name>.+) is not a WAV file: give one zip of recordings or WAV files",
        "{name} 不是 WAV 文件：请提供录音的 zip 或 WAV 文件",
    ),
    (
        r"every digit 0-9 needs at least (?P<least>\d+) recordings; too few of (?P<short>.+) \(found .*\)",
        "每个数字 0–9 至少需要 {least} 段录音；这些数字的录音太少：{short}",
    ),
    (r"(?P<name>.+) is neither a folder nor a zip file", "{name} 既不是文件夹也不是 zip 文件"),
    (r"too many (?P<what>.+) or too many megabytes for this server", "文件太多或太大，超出本服务器的限制"),
    (
        r"the time budget must be between 0\.05 and (?P<most>[\d.]+) minutes on this server",
        "时间预算必须在 0.05 到 {most} 分钟之间",
    ),
    (
        r"a model's name must be 1-(?P<most>\d+) characters of lower-case letters.*",
        "模型名称须为 1–{most} 个字符：小写字母、数字、“.”、“_”或“-”，并以字母或数字开头",
    ),
    (
        r"model name .* must be 1-64 characters of lower-case letters.*",
        "模型名称须为 1–64 个字符：小写字母、数字、“.”、“_”或“-”，并以字母或数字开头",
    ),
    # The line and the room for models.
    (
        r"a training job \(step (?P<step>\d+) of (?P<total>\d+)\) is running and (?P<waiting>\d+) are waitin"
        r"g.*",
        "已有训练任务在运行（第 {step}/{total} 步），另有 {waiting} 个在等待；本服务器一次只运行一个任务，"
        "请在有任务结束后再试",
    ),
    (
        r"you have (?P<yours>\d+) training jobs running or waiting; one visitor may have (?P<most>\d+) at a "
        r"time.*",
        "你已有 {yours} 个训练任务在运行或等待；每位访客最多同时 {most} 个，请等你的某个任务结束后再开始",
    ),
    (r"only the visitor who started this training job can stop it", "只有开始这个训练任务的访客才能停止它"),
    (
        r"this server holds as many visitors' models as it may, and none of them is yours to replace.*",
        "本服务器保存的访客模型已达上限，其中没有可以替换的你的模型：请等较早的模型过期后再试",
    ),
    (r"the server's disk is nearly full .*", "服务器磁盘空间不足，模型没有保存；请稍后再试"),
    (
        r"this model would take (?P<size>\d+) MB and visitors' models may take (?P<most>\d+) MB in all.*",
        "这个模型需要 {size} MB，而本服务器上访客的模型总共只能占用 {most} MB：请用更小的模型",
    ),
    # Models: chosen, brought, checked.
    (r"no model named '(?P<name>.+)' \(available: .*\)", "没有名为“{name}”的模型"),
    (
        r"no (?P<noun>\w+) model is installed yet: train one in the Train tab",
        "还没有安装这类模型：请在“训练”页训练一个",
    ),
    (r"give a \.safetensors file", "请提供一个 .safetensors 文件"),
    (r"not a readable safetensors file.*", "这不是可读取的 safetensors 文件"),
    (r"a safetensors file without an AIGC Studio model card", "这个 safetensors 文件没有 AIGC Studio 模型卡"),
    (
        r"its card asks for more than this app runs for a visitor: (?P<over>.+)",
        "它的模型卡所要求的超出本应用为访客运行的范围：{over}",
    ),
    (r"its weights are not those of the model its card describes", "它的权重与模型卡描述的模型不符"),
    (r"its model kind '(?P<kind>.+)' is not one this app knows", "本应用不认识它的模型类型“{kind}”"),
    (r"its card describes no model this app can build.*", "它的模型卡描述的模型本应用无法构建"),
    (r"give a PNG, GIF or WAV file to check", "请提供要检查的 PNG、GIF 或 WAV 文件"),
    (
        r"its receipt asks for (?P<asked>[\d,]+) pictures; files of up to (?P<most>\d+) are checked here",
        "它的凭据要求 {asked} 张图片；这里最多检查 {most} 张",
    ),
    (
        r"you have (?P<waiting>\d+) requests waiting on this server, the most one visitor may have; .*",
        "你已有 {waiting} 个请求在本服务器上等待，这是每位访客的上限；请等它们得到回答后再发送",
    ),
    # Values Gradio could not read, before any handler ran.
    (
        r"value (?P<n>\d+) \(a (?P<kind>[\w ]+)\) could not be read as its control expects; .*",
        "第 {n} 个值（{kind}）无法按其控件的要求读取；API 页面说明了每个值",
    ),
    (
        r"a value sent could not be read as its control expects; .*",
        "发送的一个值无法按其控件的要求读取；API 页面说明了每个值",
    ),
    (
        r"value (?P<n>\d+) \(a (?P<kind>[\w ]+)\) is not one of the choices offered; .*",
        "第 {n} 个值（{kind}）不在可选项之中；API 页面列出了它们",
    ),
    (
        r"(?:value \d+ \(a [\w ]+\)|a value sent) names a file that was not uploaded here: .*",
        "一个文件没有上传到这里：请先上传，再发送得到的路径",
    ),
    # Pages: what to do first.
    (r"draw a digit or upload a picture of one first", "请先画一个数字或上传一张数字图片"),
    (r"no drawing found: .*", "没有找到画：请先画一个数字（或上传一张数字图片）"),
    (r"that is not an image", "这不是图片"),
    (
        r"this model does not draw a chosen class: interpolate between two seeds instead",
        "这个模型不能按类别作画：请改为在两个随机种子之间插值",
    ),
    (r"encode two drawings first .*", "请先编码两幅画（“编辑你自己的数字”），再在它们之间插值"),
    (
        r"type the digits to speak, e\.g\. 2026|type at least one digit to speak, e\.g\. 2026",
        "请输入要说的数字，例如 2026",
    ),
    (r"only the digits 0-9 can be spoken; remove (?P<shown>.+)", "只能说数字 0–9；请删去 {shown}"),
    (
        r"at most (?P<most>\d+) digits at a time \(got (?P<got>\d+)\)",
        "一次最多 {most} 个数字（现有 {got} 个）",
    ),
    # Typefaces.
    (r"type a word or a line to draw", "请输入要写的词或一行字"),
    (
        r"a line is at most (?P<most>\d+) characters; this one has (?P<has>[\d,]+)",
        "一行最多 {most} 个字符（现有 {has} 个）",
    ),
    (
        r"this typeface model cannot draw (?P<chars>.+?): it knows (?P<known>.+)",
        "这个字体模型写不出 {chars}：它认识的是 {known}",
    ),
    (r"this model has not learned a family called '(?P<name>.+)'", "这个模型没有学过名为“{name}”的字体"),
    (r"choose a font file first", "请先选择一个字体文件"),
    (r"a font file may be up to (?P<most>\d+) MB", "字体文件最大 {most} MB"),
    (
        r"the font is (?P<size>[\d.]+) MB; this server reads fonts up to (?P<most>\d+) MB",
        "这个字体有 {size} MB；本服务器读取的字体最大 {most} MB",
    ),
    (
        r"this is not a font file this app reads: .*",
        "这不是本应用能读取的字体文件：请提供 .ttf、.otf、.woff 或 .woff2 文件",
    ),
    (
        r"this font file's header describes more than a font holds; it was not read",
        "这个字体文件的文件头所描述的内容超出一个字体应有的大小，未读取",
    ),
    (
        r"this font draws too few of the model's characters to find its style",
        "这个字体包含的模型字符太少，找不出它的风格",
    ),
    (r"bring the font again: its style was not understood", "请重新上传字体：未能读懂它的风格"),
    (r"give at least 2 fonts: .*", "请至少提供 2 个字体：一个用来学习，一个用来检验"),
    (r"(?P<name>.+) could not be read as a font \(.*\)", "{name} 无法作为字体读取"),
    (
        r"(?P<name>.+) draws too few of A-Z, a-z and 0-9 to learn from",
        "{name} 包含的 A–Z、a–z、0–9 太少，无法用来学习",
    ),
    (r"give font files to learn from: .*", "请提供用来学习的字体：.ttf、.otf、.woff 或 .woff2 文件的 zip"),
    (
        r"a style code must be (?P<count>\d+) finite numbers of modest size",
        "风格编码必须是 {count} 个大小适中的有限数",
    ),
    (r"type a message first", "请先输入一条消息"),
    (r"a message may hold at most (?P<most>[\d,]+) characters", "一条消息最多 {most} 个字符"),
    (
        r"send at most the last (?P<most>\d+) messages of a conversation",
        "对话最多只能发送最近的 {most} 条消息",
    ),
    (r"there is no message to reply to yet", "还没有可以回复的消息"),
    (
        r"click a (?:written )?character (?:of the reply )?in the lens, then pick a candidate",
        "请先在透镜中点击一个字符，再选择一个候选",
    ),
    (
        r"the prompt already holds a whole poem; give a title to start a new one",
        "开头已经是一首完整的诗；请给一个标题来开始新的一首",
    ),
    (
        r"the lens reads at most (?P<most>[\d,]+) characters.*",
        "透镜最多读取 {most} 个字符（开头和写出的内容合计）",
    ),
)
ZH = tuple((re.compile(pattern, re.DOTALL), words) for pattern, words in _ZH)


def in_language(message: str, lang: str) -> str:
    """A refusal as a reader of ``lang`` reads it."""
    if not lang.startswith("zh"):
        return message
    for pattern, words in ZH:
        found = pattern.fullmatch(message)
        if found:
            return words.format(**found.groupdict())
    return LEAD_ZH + message
