"""The Speech page's words, each as (English, 中文)."""

TEXTS = {
    "tab_speech": ("Speech", "语音"),
    "speech_intro": (
        "Pick a digit, or type a number and press Say it. The seed picks a voice; the sliders move it "
        "along the directions in which the training voices differ most, each named after what it tracks "
        "when that fits (the number shows how well). The voices say the digits in English, as the "
        "recordings they learned from do.",
        "选择一个数字，或输入一个数后点击“朗读”。随机种子决定声音；滑块沿训练语音差异最大的方向移动声音，若"
        "某方向与可命名的特征相符，则以该特征命名（括号中的数值表示相符程度）。这些声音用英语读数字，"
        "因为它们学习的录音是英语的。",
    ),
    "speech_model": ("Speech model", "语音模型"),
    "speech_digit": ("Say one digit", "朗读单个数字"),
    "speech_number": ("Say a number", "朗读一个数"),
    "speech_say": ("Say it", "朗读"),
    "speech_seed": ("Voice seed", "声音种子"),
    "speech_random": ("Random voice", "随机声音"),
    "speech_reset": ("Centre sliders", "滑块归零"),
    "speech_variety": ("Voice variety (temperature)", "声音多样性（温度）"),
    "speech_variety_info": (
        "Higher: voices as varied as the recorded speakers, but less often clear.",
        "越高，声音越像录音中的说话人那样多样，但清晰度更低。",
    ),
    "speech_audio": ("Listen · AI-generated voice", "试听 · AI 生成的声音"),
    "speech_download": ("Download WAV", "下载 WAV"),
    "speech_spectrogram": ("Spectrogram (time → , pitch ↑)", "频谱图（时间 → ，音高 ↑）"),
    "voice_slider": ("Voice direction", "声音方向"),
    "voice_direction": ("Voice direction {number}", "声音方向 {number}"),
    "voice_labelled": (
        "{factor}: {low} ↔ {high} (fit {score})",
        "{factor}：{low} ↔ {high}（吻合度 {score}）",
    ),
    "voice_factor_pitch": ("Pitch", "音高"),
    "voice_factor_length": ("Length", "时长"),
    "voice_factor_speaker": ("Who it sounds like", "像谁的声音"),
    "voice_lower": ("lower", "更低"),
    "voice_higher": ("higher", "更高"),
    "voice_shorter": ("shorter", "更短"),
    "voice_longer": ("longer", "更长"),
}
